/**
 * `s9s stream`: tail -f for jobs, with filters, text or JSON Lines output.
 * @module
 */
import { UsageError } from "../errors.ts";
import { compilePattern, PatternError } from "../config/regex.ts";
import { StreamManager } from "../engine/stream_manager.ts";
import type { StreamType } from "../core/stream_event.ts";
import { statusText, textSink, warningLine } from "../sinks/text.ts";
import { jsonSink } from "../sinks/json.ts";
import { BrokenPipe, closableOut } from "../sinks/writer.ts";
import { stderrOut, stdoutOut } from "./output.ts";
import { stdoutIsTerminal, useColor } from "../platform/terminal.ts";
import { type GlobalFlags, intFlag, makeContext, openCluster } from "./common.ts";
import { resolveOutput } from "../cluster/path_resolver.ts";
import { parseTemplate, templateSink } from "../sinks/template.ts";
import { checkTargetFiles, planTargets, type StreamTarget } from "./stream_targets.ts";
import { isLocal, sourceTargets } from "./stream_source.ts";

/** Options of `s9s stream`, after parsing. */
export interface StreamOptions {
  job?: string[];
  type: string;
  /** A single --path (library callers); `paths` wins when both are given. */
  path?: string;
  /** Every --path given; see {@link planTargets} for how they combine with --job. */
  paths?: string[];
  template?: string;
  stderrPath?: string;
  /** --node: the node (or ssh_config alias) that has --path. */
  node?: string;
  /** --source: auto, file, ssh or api. */
  source?: string;
  filter?: string[];
  exclude?: string[];
  outputFormat: string;
  follow: boolean;
  tail?: string;
  events?: boolean;
  progress?: boolean;
  exitCode?: boolean;
  explain?: boolean;
  save?: string;
  exportMetrics?: string;
  forward?: string[];
  color: boolean;
  quiet?: boolean;
}

/** `stream`'s options as commander or the fast parser give them (by key), for {@link runStream}. */
export function streamOptionsOf(opts: Record<string, unknown>): StreamOptions {
  return { ...opts, paths: opts.path, path: undefined } as unknown as StreamOptions;
}

/** Run `s9s stream`; returns the exit code. */
export async function runStream(flags: GlobalFlags, opts: StreamOptions): Promise<number> {
  const paths = opts.paths ?? (opts.path ? [opts.path] : []);
  const planned = planTargets(opts.job ?? [], paths, opts.stderrPath);
  const jobs = planned.filter((t) => !t.fileOnly).map((t) => t.id);
  const targets = sourceTargets(planned, opts);
  const tail = intFlag("--tail", opts.tail);
  checkPatterns("--filter", opts.filter);
  checkPatterns("--exclude", opts.exclude);
  const json = opts.outputFormat === "json";
  if (opts.template !== undefined && json) {
    throw new UsageError("--template shapes text output; it cannot be used with -o json", {
      hint: "pick the fields with jq instead, e.g. `-o json | jq -r '.job_id + \" \" + .content'`",
    });
  }
  const template = opts.template !== undefined ? parseTemplate(opts.template) : undefined;
  // The configuration first: a bad one is a usage error (exit 2) whatever the files are.
  const ctx = await makeContext(flags);
  // Files read on a node (SSH) or through sattach are not this host's to check.
  if (!opts.explain) await checkTargetFiles(targets.filter(isLocal), opts.follow);
  const config = ctx.loaded.config;
  const cluster = jobs.length === 0 && !flags.mock ? undefined : await openCluster(flags, ctx);
  const progress = !!opts.progress || config.streaming.progress_updates;
  // A reader that goes away (`| head`) ends the command quietly, with exit 0.
  let outputClosed = () => {};
  const closed = new Promise<"closed">((resolve) => outputClosed = () => resolve("closed"));
  const stdout = closableOut(stdoutOut, () => outputClosed());
  const manager = new StreamManager({
    config,
    cluster,
    debug: ctx.debug,
    keepBuffers: false,
    progress,
  });
  for (const p of opts.filter ?? []) manager.addFilter(`--filter "${p}"`, p, { action: "include" });
  for (const p of opts.exclude ?? []) {
    manager.addFilter(`--exclude "${p}"`, p, { action: "exclude" });
  }
  const type = opts.type as StreamType | "all";

  if (opts.explain) {
    try {
      return await explain(manager, targets, type);
    } finally {
      cluster?.close();
    }
  }

  const color = opts.color && useColor();
  const sink = json
    ? jsonSink({
      out: stdout,
      filter: manager.filter,
      events: !!opts.events,
      progress,
    })
    : textSink({
      out: stdout,
      status: opts.quiet ? undefined : stderrOut,
      prefix: false,
      color,
      sanitize: stdoutIsTerminal(),
      filter: manager.filter,
    });
  // A single stream prints plain lines. Prefixes go on from the first line when more than one
  // stream can come: several jobs, an array job asked for by its id (tasks start later), or
  // stdout and stderr in separate files (both are located before either's first line).
  let prefixing = targets.length > 1;
  const prefixed = json ? sink : textSink({
    out: stdout,
    prefix: true,
    color,
    sanitize: stdoutIsTerminal(),
    filter: manager.filter,
  });
  // A template says itself what each line shows (add {{job_id}} to tell streams apart).
  const lines = template
    ? templateSink({
      out: stdout,
      template,
      filter: manager.filter,
      sanitize: stdoutIsTerminal(),
      color,
    })
    : undefined;
  // Lines wait (backpressure) until every target has started: a job unknown to the cluster then
  // fails the run before any line is printed, whatever the order of the flags.
  const started = Promise.withResolvers<boolean>();
  let allStarted = false;
  manager.subscribe({
    onLines: async (s, b, sel) => {
      if (!allStarted && !(await started.promise)) return;
      if (
        !prefixing &&
        ((s.job?.arrayJobId !== undefined && !jobs.includes(s.jobId)) ||
          manager.streams.filter((x) => x.location).length > 1)
      ) {
        prefixing = true;
      }
      await (lines ?? (prefixing ? prefixed : sink)).onLines!(s, b, sel);
    },
    onProgress: (s, t, n) => sink.onProgress?.(s, t, n),
    onStatus: (s, ev) => sink.onStatus?.(s, ev),
  });
  let closeIntegrations: (() => Promise<void>) | undefined;
  if (opts.exportMetrics || opts.forward?.length || config.streaming.alerts.length) {
    const { attachIntegrations } = await import("../sinks/integrations.ts");
    try {
      closeIntegrations = await attachIntegrations(manager, {
        exportMetrics: opts.exportMetrics,
        forward: opts.forward,
        config,
        debug: ctx.debug,
        warn: (m: string) => void stderrOut.write(warningLine(m)),
        notice: (m: string) => void stderrOut.write(`${m}\n`),
      });
    } catch (err) {
      cluster?.close();
      throw err;
    }
  }
  let closeSave: (() => Promise<void>) | undefined;
  if (
    opts.save || (config.streaming.persistence.enabled && config.streaming.persistence.auto_save)
  ) {
    try {
      const { attachRecorders } = await import("../persist/attach.ts");
      closeSave = await attachRecorders(manager, {
        save: opts.save,
        config,
        debug: ctx.debug,
        warn: (m: string) => void stderrOut.write(warningLine(m)),
      });
    } catch (err) {
      // --save was asked for: not saving is an error, whatever the failure. History alone is
      // best effort, but never silent.
      if (opts.save) {
        manager.close();
        await closeIntegrations?.();
        cluster?.close();
        throw err;
      }
      ctx.debug.log("STREAM", `persistence unavailable: ${(err as Error).stack ?? err}`);
      void stderrOut.write(warningLine(`history not saved: ${(err as Error).message}`));
    }
  }

  const interrupted = new Promise<"int">((resolve) => {
    const onSig = () => resolve("int");
    try {
      Deno.addSignalListener("SIGINT", onSig);
      Deno.addSignalListener("SIGTERM", onSig);
    } catch { /* not supported */ }
  });
  let result: "done" | "int" | "closed" = "done";
  try {
    try {
      // All at once: the stream limit and every job are checked before any stream starts.
      await manager.startStreams(targets.map((t) => ({
        jobId: t.id,
        type,
        options: {
          path: t.path,
          stderrPath: t.stderrPath,
          follow: opts.follow,
          tail,
          fileOnly: t.fileOnly,
          source: t.source,
          node: t.node,
        },
      })));
    } catch (err) {
      started.resolve(false);
      throw err;
    }
    allStarted = true;
    started.resolve(true);
    result = await Promise.race([
      manager.done().then(() => "done" as const),
      interrupted,
      closed,
    ]);
  } catch (err) {
    if (err instanceof BrokenPipe) return 0;
    throw err;
  } finally {
    manager.close();
    await closeSave?.();
    await closeIntegrations?.();
    cluster?.close();
    // Status lines are written without waiting; let them out before the process exits.
    await Promise.all([stdoutOut.write(""), stderrOut.write("")]).catch(() => {});
  }
  if (result === "int") return 130;
  if (result === "closed") return 0;
  if (manager.errors.length > 0) {
    const { formatError } = await import("../errors.ts");
    for (const e of manager.errors) {
      // Messages name files, whose names may hold a newline or an escape: shown, not obeyed.
      await stderrOut.write(formatError(e, ctx.debugEnabled, statusText) + "\n");
    }
    return 1;
  }
  return opts.exitCode ? manager.exitCode : 0;
}

/** Reject a bad --filter/--exclude pattern before anything starts, naming the flag. */
function checkPatterns(flag: string, patterns: string[] = []): void {
  for (const p of patterns) {
    try {
      compilePattern(p);
    } catch (err) {
      if (!(err instanceof PatternError)) throw err;
      throw new UsageError(`${flag}: ${err.message}`, {
        hint:
          `quote the pattern and escape regex characters, e.g. ${flag} 'ERROR|WARN' or ${flag} 'x\\[1\\]'`,
      });
    }
  }
}

async function explain(
  manager: StreamManager,
  targets: StreamTarget[],
  type: StreamType | "all",
): Promise<number> {
  const types: StreamType[] = type === "all" ? ["stdout", "stderr"] : [type];
  const out: string[] = [];
  for (const { id, fileOnly, path, stderrPath } of targets) {
    const infos = manager.cluster && !fileOnly ? await manager.cluster.getJob(id) : [];
    out.push(
      fileOnly
        ? `file ${id}:`
        : `job ${id}: ${
          infos.length
            ? `${infos.length} record(s) from the ${manager.cluster!.name} backend`
            : "not known to the cluster"
        }`,
    );
    for (const job of infos.length ? infos : [undefined]) {
      if (job) {
        out.push(
          `  ${job.id}: state ${job.state}, StdOut=${job.stdout ?? "-"} StdErr=${
            job.stderr ?? "-"
          } WorkDir=${job.workDir ?? "-"} BatchHost=${job.batchHost ?? "-"}`,
        );
      }
      for (const t of types) {
        const res = await resolveOutput(job?.id ?? id, job, t, manager.config.streaming, {
          pathOverride: path,
          stderrPathOverride: stderrPath,
        });
        out.push(`  ${t}:`);
        for (const c of res.candidates) {
          out.push(
            `    ${c.exists ? "found  " : "missing"} ${c.path}  [${c.from}]${
              c.note ? ` — ${c.note}` : ""
            }`,
          );
        }
        out.push(
          `    => ${
            res.location
              ? `${res.location.path}${
                res.location.exists ? "" : " (not there yet; will wait for it)"
              }`
              : "no file found"
          }`,
        );
      }
    }
  }
  await stdoutOut.write(out.join("\n") + "\n").catch((err) => {
    if (!(err instanceof BrokenPipe)) throw err; // a reader that left early is no error
  });
  return 0;
}
