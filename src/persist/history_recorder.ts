/**
 * Saves every stream a manager follows into the history directory as it arrives, keeps the index
 * fresh and the directory within its limits. Any disk trouble gives one warning and recording
 * stops; streaming itself goes on.
 * @module
 */
import type { StreamingConfig } from "../config/schema.ts";
import { toLevel } from "../codec/gzip_chunk.ts";
import type { StreamHandle, StreamManager } from "../engine/stream_manager.ts";
import { cleanHistory } from "./cleanup.ts";
import { ensurePrivateDir, newSessionId } from "./history_dir.ts";
import { updateIndex } from "./history_index.ts";
import { HistoryWriter } from "./history_writer.ts";
import { GzipPool } from "./gzip_pool.ts";

/** Options for {@link HistoryRecorder}. */
export interface RecorderOptions {
  dir: string;
  config: StreamingConfig;
  warn: (message: string) => void;
  debug?: (message: string) => void;
}

/** Records every stream of a manager. */
export class HistoryRecorder {
  #o: RecorderOptions;
  #writers = new Map<string, HistoryWriter>();
  #warned = false;
  #disabled = false;
  #timers: ReturnType<typeof setInterval>[] = [];
  #unsubscribe?: () => void;
  #pool?: GzipPool;
  #backlog = { bytes: 0 };

  private constructor(options: RecorderOptions) {
    this.#o = options;
  }

  /** Prepare the directory, clean it, subscribe. Never throws for disk trouble: it warns. */
  static async start(manager: StreamManager, options: RecorderOptions): Promise<HistoryRecorder> {
    const r = new HistoryRecorder(options);
    try {
      await ensurePrivateDir(options.dir);
      await r.cleanup();
    } catch (err) {
      r.#fail(err as Error);
      return r;
    }
    r.#unsubscribe = manager.subscribe({
      onLines: (s, batch) => r.#writer(s)?.add(batch),
      onEnd: (s) => void r.#writers.get(s.key)?.flush(),
    });
    const p = options.config.persistence;
    r.#every(p.cleanup_interval, () => r.cleanup());
    r.#every(5000, () => r.#saveIndex());
    return r;
  }

  #every(ms: number, fn: () => Promise<unknown>): void {
    const t = setInterval(
      () => void fn().catch((err) => this.#o.debug?.(`history: ${(err as Error).message}`)),
      ms,
    );
    Deno.unrefTimer(t);
    this.#timers.push(t);
  }

  #writer(s: StreamHandle): HistoryWriter | undefined {
    if (this.#disabled) return undefined;
    let w = this.#writers.get(s.key);
    if (!w) {
      const cfg = this.#o.config;
      w = new HistoryWriter({
        dir: this.#o.dir,
        meta: {
          id: newSessionId(s.jobId, s.type),
          job_id: s.jobId,
          type: s.type,
          node: s.location?.host ?? s.job?.batchHost ?? null,
          source: s.sourceKind,
          path: s.location?.path ?? null,
        },
        level: cfg.compression.enabled ? toLevel(cfg.compression.level) : 0,
        maxFileSize: cfg.persistence.max_file_size,
        onError: (err) => this.#fail(err),
        backlog: this.#backlog,
        onRotate: () => void this.cleanup().catch(() => {}),
        encode: (data, meta, level) =>
          (this.#pool ??= new GzipPool(GzipPool.defaultSize())).encode(data, meta, level),
      });
      this.#writers.set(s.key, w);
    }
    return w;
  }

  #fail(err: Error): void {
    this.#disabled = true;
    if (this.#warned) return;
    this.#warned = true;
    this.#o.warn(
      `cannot save stream history in "${this.#o.dir}": ${err.message}; streaming goes on without history ` +
        `(fix the directory or set streaming.persistence.directory)`,
    );
  }

  /** Apply the age and count limits (never to the files being written now). */
  async cleanup(): Promise<string[]> {
    const p = this.#o.config.persistence;
    const keep = new Set<string>();
    for (const w of this.#writers.values()) if (w.currentPath) keep.add(w.currentPath);
    const removed = await cleanHistory(this.#o.dir, {
      maxAgeMs: p.auto_cleanup_days * 86_400_000,
      maxFiles: p.max_files,
      keep,
    });
    if (removed.length) this.#o.debug?.(`history: removed ${removed.length} old file(s)`);
    return removed;
  }

  /**
   * Write the writers' entries to the index — after a write error too, so that the index tells
   * which sessions were cut short and how much of them is on disk (it may fail again: callers
   * only log that).
   */
  async #saveIndex(): Promise<void> {
    const entries = [...this.#writers.values()].flatMap((w) => w.entries);
    if (entries.length) await updateIndex(this.#o.dir, entries);
  }

  /** Flush every writer, update the index, stop the timers. */
  async close(): Promise<void> {
    this.#unsubscribe?.();
    for (const t of this.#timers) clearInterval(t);
    await Promise.all([...this.#writers.values()].map((w) => w.close()));
    this.#pool?.close();
    try {
      await this.#saveIndex();
    } catch (err) {
      this.#o.debug?.(`history: cannot update the index: ${(err as Error).message}`);
    }
  }
}
