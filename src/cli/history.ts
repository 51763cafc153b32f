/**
 * `s9s history`: list, show, export and clean the saved streams in the persistence directory.
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { outputFormatOption } from "./output_format_option.ts";
import { UsageError } from "../errors.ts";
import { formatSize, parseDuration } from "../config/units.ts";
import { historyDir } from "../persist/history_dir.ts";
import { type HistorySession, loadIndex, sessionsOf } from "../persist/history_index.ts";
import { memberEvents, readSession } from "../persist/history_reader.ts";
import { cleanHistory } from "../persist/cleanup.ts";
import { BrokenPipe } from "../sinks/writer.ts";
import { stdoutOut } from "./output.ts";
import { type GlobalFlags, makeContext } from "./common.ts";
import { writeAll } from "../platform/write_all.ts";

/** Build the `history` subcommand. */
export function historyCommand(globals: () => GlobalFlags): Command {
  const cmd = new Command("history")
    .description("saved streams (streaming.persistence): list, show, export, clean");
  cmd.command("list")
    .description("list saved streams, oldest first")
    .addOption(outputFormatOption())
    .action(async (opts) => {
      const { dir, sessions } = await open(globals());
      if (opts.outputFormat === "json") {
        await stdoutOut.write(JSON.stringify(sessions.map(sessionJson), null, 2) + "\n");
        return;
      }
      if (sessions.length === 0) {
        await stdoutOut.write(`no saved streams in ${dir}\n`);
        return;
      }
      await stdoutOut.write(table(sessions));
    });
  cmd.command("show")
    .description("show what is known about one saved stream")
    .argument("<id>", "the stream's ID (or a unique prefix), from `s9s history list`")
    .addOption(outputFormatOption())
    .action(async (id, opts) => {
      const { dir, sessions } = await open(globals());
      const s = pick(sessions, id);
      if (opts.outputFormat === "json") {
        await stdoutOut.write(
          JSON.stringify({ ...sessionJson(s), directory: dir }, null, 2) + "\n",
        );
        return;
      }
      const rows: [string, string][] = [
        ["id", s.id],
        ["job", s.job_id],
        ["type", s.type],
        ["node", s.node ?? "-"],
        ["source", s.source],
        ["path", s.path ?? "-"],
        ["first", iso(s.first_ts)],
        ["last", iso(s.last_ts)],
        ["lines", String(s.lines)],
        ["bytes", `${s.bytes} (${formatSize(s.bytes)})`],
        ["on disk", `${s.size} (${formatSize(s.size)})`],
        ...(s.cut ? [["note", CUT_NOTE] as [string, string]] : []),
        ...s.parts.map((
          p,
        ): [string, string] => [
          `file ${p.part}`,
          `${dir}/${p.file} (${formatSize(p.size)} on disk${p.cut ? ", cut short" : ""})`,
        ]),
      ];
      await stdoutOut.write(rows.map(([k, v]) => `${k.padEnd(8)} ${v}`).join("\n") + "\n");
    });
  cmd.command("export")
    .description("print a saved stream: its lines as they were (text) or one JSON event per line")
    .argument("<id>", "the stream's ID (or a unique prefix), from `s9s history list`")
    .addOption(outputFormatOption())
    .action(async (id, opts) => {
      const { dir, sessions } = await open(globals());
      const s = pick(sessions, id);
      try {
        for await (const m of readSession(dir, s)) {
          if (opts.outputFormat === "json") {
            let out = "";
            for (const ev of memberEvents(s, m)) out += JSON.stringify(ev) + "\n";
            await writeBytes(new TextEncoder().encode(out));
          } else {
            await writeBytes(m.bytes);
          }
        }
      } catch (err) {
        if (err instanceof BrokenPipe) return;
        throw err;
      }
    });
  cmd.command("clean")
    .description("remove saved streams past the configured age and count limits")
    .option(
      "--older-than <age>",
      "remove only streams last written longer ago than AGE (e.g. 7d, 12h)",
    )
    .action(async (opts) => {
      const ctx = await makeContext(globals());
      const cfg = ctx.loaded.config.streaming;
      const dir = historyDir(cfg);
      let removed: string[];
      if (opts.olderThan !== undefined) {
        const ms = parseDuration(opts.olderThan);
        if (ms === undefined) {
          throw new UsageError(
            `--older-than expects an age such as "7d" or "12h", got "${opts.olderThan}"`,
          );
        }
        removed = await cleanHistory(dir, { maxAgeMs: Math.max(1, ms), everyFile: true });
      } else {
        removed = await cleanHistory(dir, {
          maxAgeMs: cfg.persistence.auto_cleanup_days * 86_400_000,
          maxFiles: cfg.persistence.max_files,
          everyFile: true,
        });
      }
      await loadIndex(dir); // the index forgets the removed files
      await stdoutOut.write(`removed ${removed.length} file(s) from ${dir}\n`);
    });
  return cmd as unknown as Command;
}

async function open(flags: GlobalFlags): Promise<{ dir: string; sessions: HistorySession[] }> {
  const ctx = await makeContext(flags);
  const dir = historyDir(ctx.loaded.config.streaming);
  return { dir, sessions: sessionsOf(await loadIndex(dir)) };
}

function pick(sessions: HistorySession[], id: string): HistorySession {
  const exact = sessions.find((s) => s.id === id);
  if (exact) return exact;
  const matches = sessions.filter((s) => s.id.startsWith(id));
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) {
    throw new UsageError(`"${id}" matches ${matches.length} saved streams`, {
      hint: "give more of the ID",
      details: matches.slice(0, 10).map((s) => s.id),
    });
  }
  throw new UsageError(`no saved stream "${id}"`, { hint: "see `s9s history list` for the IDs" });
}

function iso(ms: number): string {
  return ms ? new Date(ms).toISOString() : "-";
}

function sessionJson(s: HistorySession): Record<string, unknown> {
  return {
    id: s.id,
    job_id: s.job_id,
    type: s.type,
    node: s.node,
    source: s.source,
    path: s.path,
    first_timestamp: iso(s.first_ts),
    last_timestamp: iso(s.last_ts),
    lines: s.lines,
    bytes: s.bytes,
    size: s.size,
    cut_short: s.cut,
    files: s.parts.map((p) => p.file),
  };
}

/** What a session cut short by a failed write (or a crash mid-write) is marked with. */
const CUT_NOTE = "cut short: a write did not complete (disk full?), later lines not saved";

/** The sessions as a table; SIZE is what their files take on disk. */
function table(sessions: HistorySession[]): string {
  const anyCut = sessions.some((s) => s.cut);
  const rows = [[
    "ID",
    "JOB",
    "TYPE",
    "NODE",
    "LINES",
    "SIZE",
    "LAST",
    ...(anyCut ? ["NOTE"] : []),
  ]];
  for (const s of sessions) {
    rows.push([
      s.id,
      s.job_id,
      s.type,
      s.node ?? "-",
      String(s.lines),
      formatSize(s.size),
      iso(s.last_ts),
      ...(anyCut ? [s.cut ? CUT_NOTE : ""] : []),
    ]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((v, c) => v.padEnd(widths[c])).join("  ").trimEnd()).join("\n") +
    "\n";
}

async function writeBytes(bytes: Uint8Array): Promise<void> {
  try {
    await writeAll(Deno.stdout, bytes);
  } catch (err) {
    if (err instanceof Deno.errors.BrokenPipe) throw new BrokenPipe();
    throw err;
  }
}
