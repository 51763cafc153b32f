/**
 * The engine's facade: starts streams for jobs and hands their lines, filtered, to listeners
 * (text/json sinks, the TUI, history, metrics) in batches, or to `getStream` consumers. The
 * parts: {@link JobTracker} (a job's lifecycle), {@link SourceSelection} (file or SSH),
 * {@link EventChannel} (the bounded queue of `getStream`), {@link Stream} (one stream's record).
 * Knows nothing of display.
 * @module
 */
import type { Config } from "../config/schema.ts";
import { UserFacingError } from "../errors.ts";
import { type ClusterBackend, isTerminal, type JobInfo } from "../cluster/job.ts";
import type { Location, Resolution } from "../cluster/path_resolver.ts";
import { type DebugLog, NO_DEBUG } from "../core/debug_log.ts";
import type { LineBatch } from "../core/line_batch.ts";
import {
  buildStreamEvent,
  type StreamEvent,
  streamKey,
  type StreamState,
  type StreamType,
} from "../core/stream_event.ts";
import { compileUserPattern, type FilterAction, LineFilter } from "./filter.ts";
import { bufferForStream } from "./stream_buffer.ts";
import { type StartOptions, Stream, type StreamHandle, type StreamListener } from "./stream.ts";
import { JobTracker, type TrackerHost } from "./job_tracker.ts";
import { SourceSelection } from "./source_selection.ts";
import { EventChannel } from "./event_channel.ts";
import { bufferedEvent, eventsOf } from "./events_of.ts";
import { lookupJob, resolveUnknownJob } from "./job_lookup.ts";

export type { StartOptions, StreamHandle, StreamListener } from "./stream.ts";
export { eventsOf } from "./events_of.ts";
export { jobExitCode } from "./job_states.ts";

/** Options for a {@link StreamManager}. */
export interface StreamManagerOptions {
  config: Config;
  cluster?: ClusterBackend;
  debug?: DebugLog;
  /** Keep a scroll-back buffer per stream (the TUI does; `s9s stream` need not). */
  keepBuffers?: boolean;
  /** Report `\r` progress states while a line is being written (default: `progress_updates`). */
  progress?: boolean;
}

/** One job (or file) for {@link StreamManager.startStreams}. */
export interface StreamRequest {
  jobId: string;
  /** "stdout", "stderr", or "all" for both (the default is "stdout"). */
  type?: StreamType | "all";
  options?: StartOptions;
}

/** The streaming engine. */
export class StreamManager {
  readonly config: Config;
  readonly cluster?: ClusterBackend;
  #debug: DebugLog;
  #filter = new LineFilter();
  #listeners = new Set<StreamListener>();
  #trackers = new Map<string, JobTracker>();
  #streams = new Map<string, Stream>();
  #sources: SourceSelection;
  #keepBuffers: boolean;
  #errors: UserFacingError[] = [];
  #host: TrackerHost;

  constructor(options: StreamManagerOptions) {
    this.config = options.config;
    this.cluster = options.cluster;
    this.#debug = options.debug ?? NO_DEBUG;
    this.#keepBuffers = options.keepBuffers ?? true;
    this.#sources = new SourceSelection({
      config: this.config.streaming,
      debug: this.#debug,
      progress: options.progress ?? this.config.streaming.progress_updates,
    });
    this.#host = {
      config: this.config,
      cluster: this.cluster,
      debug: this.#debug,
      newStream: (jobId, type) => this.#newStream(jobId, type),
      forgetStream: (s) => this.#streams.delete(s.key),
      status: (s, state, message) => this.#status(s, state, message),
      endStream: (s, state, message, quiet) => this.#endStream(s, state, message, quiet),
      runSource: (s, loc, follow, o) => this.#runSource(s, loc, follow, o),
    };
    for (const f of this.config.streaming.filters) {
      this.addFilter(f.name, f.pattern, { action: f.action, color: f.color });
    }
  }

  /** Add a named filter: include, exclude or highlight (with a color). */
  addFilter(
    name: string,
    pattern: string,
    options: { action?: FilterAction; color?: string } = {},
  ): void {
    this.#filter.add({
      name,
      action: options.action ?? "include",
      color: options.color ?? "red",
      regex: compileUserPattern(pattern, `filter "${name}"`),
    });
  }

  /** The filters every stream applies. */
  get filter(): LineFilter {
    return this.#filter;
  }

  /** Every stream, in start order. */
  get streams(): StreamHandle[] {
    return [...this.#streams.values()];
  }

  /** Listen to every stream. Returns an unsubscribe function. */
  subscribe(listener: StreamListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves when every started job has ended and all its streams are drained. */
  async done(): Promise<void> {
    while (true) {
      const pending = [...this.#trackers.values()].map((t) => t.done);
      await Promise.all(pending);
      if ([...this.#trackers.values()].every((t) => pending.includes(t.done))) return;
    }
  }

  /** The highest exit code of the finished jobs (0 if none failed or unknown). */
  get exitCode(): number {
    let code = 0;
    for (const t of this.#trackers.values()) code = Math.max(code, t.exitCode ?? 0);
    return code;
  }

  /** Errors that ended streams (permission denied…), for the CLI to report and exit non-zero. */
  get errors(): readonly UserFacingError[] {
    return this.#errors;
  }

  /**
   * Start streaming a job's output. `type` "all" starts stdout and stderr (one stream when they
   * share a file). Resolves once the job is found; lines arrive through listeners/getStream.
   */
  startStream(
    jobId: string,
    type: StreamType | "all" = "stdout",
    options: StartOptions = {},
  ): Promise<void> {
    return this.startStreams([{ jobId, type, options }]);
  }

  /**
   * Start several jobs at once. Everything is checked first — the stream limit, the job ids, the
   * lookups — so that an error is reported before any stream starts (and prints a line).
   */
  async startStreams(requests: StreamRequest[]): Promise<void> {
    const planned = new Map<string, { id: string; types: StreamType[]; options: StartOptions }>();
    for (const r of requests) {
      const types: StreamType[] = r.type === "all" ? ["stdout", "stderr"] : [r.type ?? "stdout"];
      const key = `${r.jobId}|${types.join(",")}`;
      if (this.#trackers.has(key) || planned.has(key)) continue;
      planned.set(key, { id: r.jobId, types, options: r.options ?? {} });
    }
    const limit = this.config.streaming.max_concurrent_streams;
    const active = [...this.#streams.values()].filter((s) => !s.ended).length;
    const wanted = [...planned.values()].reduce((n, p) => n + p.types.length, 0);
    if (active + wanted > limit) {
      throw new UserFacingError(
        `cannot start more than ${limit} concurrent streams (streaming.max_concurrent_streams)`,
        { hint: "stop a stream first, or raise streaming.max_concurrent_streams in the config" },
      );
    }
    const ready: [string, JobTracker, JobInfo[], Resolution[] | undefined][] = [];
    for (const [key, p] of planned) {
      const jobs = p.options.fileOnly ? [] : await lookupJob(this.cluster, p.id);
      const first = await resolveUnknownJob(p.id, jobs, p.types, {
        config: this.config.streaming,
        cluster: this.cluster,
        options: p.options,
      });
      ready.push([key, new JobTracker(p.id, p.types, p.options, this.#host), jobs, first]);
    }
    for (const [key, tracker, jobs, first] of ready) {
      if (this.#trackers.has(key)) continue;
      this.#trackers.set(key, tracker);
      tracker.start(jobs, first);
    }
  }

  #newStream(jobId: string, type: StreamType): Stream {
    const key = streamKey(jobId, type);
    const s = new Stream(key, jobId, type);
    if (this.#keepBuffers) {
      // One shared budget across streams; old lines are compressed, then spilled to disk.
      s.buffer = bufferForStream(this.config.streaming, key);
    }
    this.#streams.set(key, s);
    for (const l of this.#listeners) l.onStart?.(s);
    return s;
  }

  /** Read one file into a stream until the source ends (the tracker ends the stream). */
  async #runSource(s: Stream, loc: Location, follow: boolean, options: StartOptions) {
    s.location = loc;
    const source = await this.#sources.select(loc, {
      label: s.key,
      follow,
      // --tail applies to the first run only; a rerun's output is all new.
      tailLines: s.source ? undefined : options.tail,
      signal: s.abort.signal,
      status: (state, message) => this.#status(s, state, message),
    });
    // A new source numbers its lines from 1; after a requeue, line_num continues the stream's.
    const base = s.source ? s.lastLineNum : 0;
    s.source = source;
    s.sourceKind = source.kind;
    this.#debug.log(
      "STREAM",
      `start ${s.key} ${loc.path} (${loc.from}) follow=${follow} base=${base}`,
    );
    if (s.job && isTerminal(s.job.state)) source.finish();
    try {
      await source.run({
        batch: (batch) =>
          this.#onBatch(s, base ? { ...batch, firstLine: batch.firstLine + base } : batch),
        progress: (text, num) => {
          for (const l of this.#listeners) l.onProgress?.(s, text, num + base);
        },
        status: (st) => {
          if (st.state === "live") s.liveSince ??= Date.now();
          if (st.state === "ended") return; // reported when the stream ends
          this.#status(s, st.state, st.message);
        },
      });
    } catch (err) {
      this.#debug.log("STREAM", `source ${s.key} failed: ${(err as Error).stack ?? err}`);
      this.#endStream(s, "error", (err as Error).message);
      if (err instanceof UserFacingError) this.#errors.push(err);
    }
  }

  async #onBatch(s: Stream, batch: LineBatch): Promise<void> {
    s.lines += batch.count;
    s.lastLineAt = batch.time;
    s.lastLineNum = batch.firstLine + batch.count - 1;
    if (s.state !== "live") s.state = "live";
    s.buffer?.append(batch);
    const selection = this.#filter.select(batch);
    for (const l of this.#listeners) {
      const r = l.onLines?.(s, batch, selection);
      if (r) await r;
    }
  }

  #status(s: Stream, state: StreamState, message?: string): void {
    s.state = state;
    s.message = message;
    this.#debug.log("STREAM", `${s.key} ${state}${message ? `: ${message}` : ""}`);
    const ev = buildStreamEvent({
      jobId: s.jobId,
      type: "status",
      content: message ?? state,
      time: Date.now(),
      lineNum: s.lines,
      source: s.sourceKind,
    }, { state, stream: s.type, job_state: s.jobState, discarded: s.discarded });
    for (const l of this.#listeners) l.onStatus?.(s, ev);
  }

  #endStream(s: Stream, state: StreamState, message?: string, quiet = false): void {
    if (s.ended) return;
    s.ended = true;
    if (!quiet) this.#status(s, state, message);
    s.abort.abort();
    for (const l of this.#listeners) l.onEnd?.(s);
  }

  /** Stop streams of a job (all types, or one). */
  stopStream(jobId: string, type?: StreamType): void {
    for (const [key, t] of this.#trackers) {
      if (!t.covers(jobId)) continue;
      for (const s of t.streams.values()) {
        if (type && s.type !== type) continue;
        if (t.id === jobId || s.jobId === jobId) {
          this.#endStream(s, "ended", `stream ${s.key} stopped`);
        }
      }
      if ([...t.streams.values()].every((s) => s.ended)) {
        t.stop.abort();
        this.#trackers.delete(key);
      }
    }
    for (const [key, s] of this.#streams) {
      if (s.ended && (s.jobId === jobId) && (!type || s.type === type)) {
        s.buffer?.close();
        this.#streams.delete(key);
      }
    }
  }

  /** Stop everything. */
  close(): void {
    for (const t of this.#trackers.values()) {
      t.stop.abort();
      for (const s of t.streams.values()) {
        if (!s.ended) {
          s.ended = true;
          s.abort.abort();
        }
      }
    }
    for (const s of this.#streams.values()) s.buffer?.close();
    this.#sources.close();
  }

  /**
   * Events of one job's streams as an async iterable (the guide's GetStream). Bounded: when the
   * consumer is slow, reading slows down. Leaving the loop early (or aborting `signal`) ends it
   * and releases every stream waiting on it.
   */
  getStream(
    jobId: string,
    options: { signal?: AbortSignal; capacity?: number } = {},
  ): AsyncIterable<StreamEvent> {
    const matches = (s: StreamHandle) => s.jobId === jobId || s.jobId.startsWith(`${jobId}_`);
    const listener: StreamListener = {
      onLines: async (s, batch, sel) => {
        if (!matches(s)) return;
        for (const ev of eventsOf(s, batch, sel, this.#filter)) {
          if (!await channel.push(ev)) return; // the consumer has gone
        }
      },
    };
    const channel = new EventChannel<StreamEvent>({
      capacity: options.capacity,
      signal: options.signal,
      onClose: () => this.#listeners.delete(listener),
    });
    // What the scroll-back already holds comes first (same tick as subscribing, so nothing is
    // missed or doubled), then live lines.
    for (const s of this.streams.filter(matches)) {
      const view = s.buffer?.all;
      for (const l of view ? view.slice(0, view.length) : []) {
        if (this.#filter.test(l.content)) channel.pushNow(bufferedEvent(s, l, this.#filter));
      }
    }
    if (!channel.closed) this.#listeners.add(listener);
    // Finished once this job's trackers are done (every line delivered by then), even when the
    // streams ended before this call; other jobs' streams do not hold it open.
    const mine = [...this.#trackers.values()].filter((t) => t.covers(jobId));
    void Promise.all(mine.map((t) => t.done)).then(() => channel.end());
    return channel;
  }
}
