/**
 * Attach the savers a stream command asks for: `--save FILE` (gzip when FILE ends in .gz), and
 * the history recorder when `persistence.enabled` and `persistence.auto_save` are on.
 * @module
 */
import type { Config } from "../config/schema.ts";
import type { DebugLog } from "../core/debug_log.ts";
import type { StreamManager } from "../engine/stream_manager.ts";
import { batchLines } from "../core/line_batch.ts";
import { UserFacingError } from "../errors.ts";
import { historyDir } from "./history_dir.ts";
import { HistoryRecorder } from "./history_recorder.ts";
import { writeAll } from "../platform/write_all.ts";
import type { Gzip } from "fflate";

/** Options for {@link attachRecorders}. */
export interface AttachOptions {
  save?: string;
  config: Config;
  debug: DebugLog;
  warn: (message: string) => void;
}

/** Subscribe savers to the manager; the returned function flushes and closes them. */
export async function attachRecorders(
  manager: StreamManager,
  o: AttachOptions,
): Promise<() => Promise<void>> {
  const closers: (() => Promise<void>)[] = [];
  if (o.save) {
    closers.push(await attachSaveFile(manager, o.save, o.config.streaming.compression.level));
  }
  const p = o.config.streaming.persistence;
  if (p.enabled && p.auto_save) {
    // Returns at once: the directory is made ready beside the first lines, not before them.
    const recorder = HistoryRecorder.start(manager, {
      dir: historyDir(o.config.streaming),
      config: o.config.streaming,
      warn: o.warn,
      debug: (m) => o.debug.log("STREAM", m),
    });
    closers.push(() => recorder.close());
  }
  return async () => {
    for (const c of closers) await c();
  };
}

async function attachSaveFile(
  manager: StreamManager,
  path: string,
  level: number,
): Promise<() => Promise<void>> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { write: true, create: true, truncate: true, mode: 0o600 });
  } catch (err) {
    throw new UserFacingError(`cannot write "${path}": ${(err as Error).message}`, {
      hint: "choose a writable location for --save",
    });
  }
  const enc = new TextEncoder();
  let pending: Promise<unknown> = Promise.resolve();
  const write = (bytes: Uint8Array) => {
    pending = pending.then(() => writeAll(file, bytes));
  };
  const gz: Gzip | undefined = path.endsWith(".gz")
    ? new (await import("fflate")).Gzip(
      { level: level as 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 },
      (chunk) => write(chunk.slice()),
    )
    : undefined;
  const several = () => manager.streams.filter((s) => s.reading).length > 1;
  const unsubscribe = manager.subscribe({
    onLines(s, batch) {
      const text = several()
        ? batchLines(batch).map((l) => `[${s.jobId}:${s.type}] ${l}\n`).join("")
        : batch.text;
      const bytes = enc.encode(text);
      if (gz) gz.push(bytes);
      else write(bytes);
    },
  });
  return async () => {
    unsubscribe();
    gz?.push(new Uint8Array(0), true);
    await pending;
    file.close();
  };
}
