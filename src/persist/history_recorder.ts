/**
 * Saves what a session emitted — the lines its filters kept, exactly as printed, with their
 * line numbers — into the history directory, keeps the index fresh and the directory within its
 * limits. Nothing of it stands before the first line: the directory is prepared beside the
 * stream, and members are compressed by worker threads. Any disk trouble gives one warning and
 * recording stops; streaming itself goes on.
 * @module
 */
import { releaseShared } from "./shared_members.ts";
import type { StreamingConfig } from "../config/schema.ts";
import { encodeMemberAsync, storeMember, toLevel } from "../codec/gzip_chunk.ts";
import type { StreamHandle, StreamManager } from "../engine/stream_manager.ts";
import type { Selection } from "../engine/filter.ts";
import { selectedCount, selectedText } from "../engine/selected_text.ts";
import type { LineBatch } from "../core/line_batch.ts";
import { cleanHistory } from "./cleanup.ts";
import { ensurePrivateDir, newSessionId } from "./history_dir.ts";
import { ActiveMarker } from "./active_sessions.ts";
import { updateIndex } from "./history_index.ts";
import { HistoryWriter } from "./history_writer.ts";
import { GzipPool } from "./gzip_pool.ts";

/** Members smaller than this are compressed inline rather than by a worker. */
const SMALL_MEMBER = 64 * 1024;
/**
 * Members smaller than this are stored, not deflated: a short session's few lines, or a quiet
 * follow's second of output. Deflate would save a few hundred bytes; the runtime's
 * CompressionStream costs ≈ 16 ms to load, more than all the rest of `s9s stream --no-follow`.
 */
const TINY_MEMBER = 2 * 1024;
/** Parts smaller than this are left out of the index at the end of a run (rebuilt on reading). */
const INDEX_MIN = 256 * 1024;

/** Options for {@link HistoryRecorder}. */
export interface RecorderOptions {
  dir: string;
  config: StreamingConfig;
  warn: (message: string) => void;
  debug?: (message: string) => void;
  /** What applies the directory's limits (tests give a slow one). */
  clean?: typeof cleanHistory;
}

/** Records what every stream of a manager emitted. */
export class HistoryRecorder {
  #o: RecorderOptions;
  #writers = new Map<string, HistoryWriter>();
  /** Sessions this process records (told to other processes' cleanup by a marker file). */
  #active = new Set<string>();
  #marker: ActiveMarker;
  #warned = false;
  #disabled = false;
  #timers: ReturnType<typeof setInterval>[] = [];
  #unsubscribe?: () => void;
  #pool?: GzipPool;
  #backlog = { bytes: 0 };
  #ready: Promise<void> = Promise.resolve();
  #cleaned: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(options: RecorderOptions) {
    this.#o = options;
    this.#marker = new ActiveMarker(options.dir);
  }

  /**
   * Subscribe at once; prepare and clean the directory beside the stream (the first member
   * waits for the directory, the first line for neither). Never throws for disk trouble: it warns.
   */
  static start(manager: StreamManager, options: RecorderOptions): HistoryRecorder {
    const r = new HistoryRecorder(options);
    // The first member waits for the directory, not for the cleanup: that lists and stats every
    // file (seconds on a busy NFS home), and the members it held back meanwhile made the stream
    // wait once 8 MB were held (backpressure). A 109 MB filtered catch-up with a full directory
    // (each run removes the oldest file) took 0.277 s, now 0.255 s, as with an empty one.
    r.#ready = ensurePrivateDir(options.dir);
    r.#cleaned = r.#ready.then(() => r.cleanup());
    r.#cleaned.catch((err) => r.#fail(err as Error)); // (a failed directory included)
    r.#unsubscribe = manager.subscribe({
      // What is printed is what is saved: the selection, never a batch's other lines.
      selectedOnly: true,
      onLines: (s, batch, sel) => r.#record(s, batch, sel),
      onStatus: (s) => s.follows && r.#housekeep(),
      onEnd: (s) => void r.#writers.get(s.key)?.end(),
    });
    return r;
  }

  /**
   * The periodic cleanup and index saves, from the first stream that follows on: a session that
   * reads once to the end starts no timer (the first timer sets up Deno's Node layer, ≈ 12 ms),
   * and its close() saves the index anyway.
   */
  #housekeep(): void {
    if (this.#timers.length || this.#closed) return;
    this.#every(this.#o.config.persistence.cleanup_interval, () => this.cleanup());
    this.#every(5000, () => this.#saveIndex());
  }

  /** Save what the sinks print of this batch: all of it, or the lines the filters kept. */
  #record(s: StreamHandle, batch: LineBatch, sel: Selection): Promise<void> | undefined {
    if (this.#disabled) return undefined;
    if (s.follows) this.#housekeep();
    if (sel.all) return this.#writer(s)?.add(batch);
    const text = selectedText(sel);
    if (text === "") return undefined;
    const nums = sel.nums;
    let truncated: number[] | undefined;
    if (batch.truncated) {
      const cut = new Set(batch.truncated.map((i) => batch.firstLine + i));
      truncated = [];
      for (let i = 0; i < nums.length; i++) if (cut.has(nums[i])) truncated.push(i);
    }
    const kept: LineBatch = {
      text,
      count: selectedCount(sel),
      firstLine: nums[0],
      startOffset: batch.startOffset,
      endOffset: batch.endOffset,
      time: batch.time,
    };
    if (truncated?.length) kept.truncated = truncated;
    return this.#writer(s)?.add(kept, nums);
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
      const id = newSessionId(s.jobId, s.type);
      this.#active.add(id);
      w = new HistoryWriter({
        dir: this.#o.dir,
        meta: {
          id,
          job_id: s.jobId,
          type: s.type,
          node: s.location?.host ?? s.job?.batchHost ?? null,
          source: s.sourceKind,
          path: s.location?.path ?? null,
        },
        level: cfg.compression.enabled ? toLevel(cfg.compression.level) : 0,
        // Read once to the end: the end flushes, no timer needed (asked at each batch: a
        // requeued job's next run may follow).
        get flushMs() {
          return s.follows ? undefined : null;
        },
        maxFileSize: cfg.persistence.max_file_size,
        onError: (err) => this.#fail(err),
        backlog: this.#backlog,
        // The marker goes on disk before the session's first write, not when it starts: a run
        // that ends before its first member is written (a short --no-follow run) writes none.
        protect: () => this.#marker.update(this.#active),
        onRotate: () =>
          void this.cleanup().catch((err) => this.#o.debug?.(`history: ${(err as Error).message}`)),
        // The first member waits for the directory (prepared beside the first lines). Tiny
        // members are stored; small ones (a short session, a quiet follow) compress on this
        // thread with the runtime's own deflate; big ones (a catch-up) in worker threads, off the
        // stream's path — and so do small ones once the workers run (a catch-up's last member:
        // the runtime's deflate would load web streams on this thread, ≈ 5–14 ms, for one
        // member). A stream's last member before any worker runs (a short --no-follow run of up
        // to 256 KB) is compressed here too, whatever its size: nothing else waits for this
        // thread then, and a worker with its zlib takes ~50 ms to start (a 200 KB run took
        // 95 ms, now 52).
        encode: async (data, meta, level, last) => {
          try {
            await this.#ready;
            if (data.length < TINY_MEMBER || level === 0) return storeMember(data, meta);
            if ((data.length < SMALL_MEMBER || last) && !this.#pool) {
              return await encodeMemberAsync(data, meta);
            }
            return await (this.#pool ??= this.#startPool()).encode(data, meta, level);
          } finally {
            releaseShared(data); // encoded (or failed): its memory serves the next members
          }
        },
      });
      this.#writers.set(s.key, w);
    }
    return w;
  }

  #startPool(): GzipPool {
    const pool = new GzipPool(GzipPool.defaultSize());
    this.#o.debug?.("history: compression workers started");
    return pool;
  }

  #fail(err: Error): void {
    this.#disabled = true;
    this.#o.debug?.(`history: disabled: ${err.message}`);
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
    const removed = await (this.#o.clean ?? cleanHistory)(this.#o.dir, {
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
  async #saveIndex(last = false): Promise<void> {
    const entries = [...this.#writers.values()].flatMap((w) => w.entries);
    // The index only spares `history list` reading whole files. At the end of a run whose parts
    // are small and whole, it reads them as cheaply as the index (and then saves it): a short
    // session's end skips reading and rewriting index.json.
    if (last && entries.every((e) => !e.cut && e.size < INDEX_MIN)) return;
    if (entries.length) await updateIndex(this.#o.dir, entries);
  }

  /** Flush every writer, update the index, stop the timers. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#unsubscribe?.();
    for (const t of this.#timers) clearInterval(t);
    await this.#cleaned.catch(() => {}); // (after the directory: it follows #ready)
    await Promise.all([...this.#writers.values()].map((w) => w.close()));
    this.#active.clear();
    await this.#marker.update(this.#active);
    this.#pool?.close();
    try {
      await this.#saveIndex(true);
    } catch (err) {
      this.#o.debug?.(`history: cannot update the index: ${(err as Error).message}`);
    }
  }
}
