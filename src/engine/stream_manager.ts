/**
 * The engine's facade: starts streams for jobs and hands their lines, filtered, to listeners
 * (text/json sinks, the TUI, history, metrics) in batches, or to `getStream` consumers. The
 * parts: {@link JobTracker} (one job's lifecycle), {@link StreamRunner} (runs a source into a
 * stream, with the file-or-SSH choice in `SourceSelection`), {@link EventChannel} (the bounded
 * queue of `getStream`), `Stream` (one stream's record). Knows nothing of display.
 * @module
 */
import type { Config } from "../config/schema.ts";
import { UserFacingError } from "../errors.ts";
import type { ClusterBackend, JobInfo } from "../cluster/job.ts";
import { type DebugLog, NO_DEBUG } from "../core/debug_log.ts";
import type { StreamEvent, StreamType } from "../core/stream_event.ts";
import { compileUserPattern, type FilterAction, LineFilter } from "./filter.ts";
import type { FollowOptions, StreamHandle, StreamListener } from "./stream.ts";
import { type StreamTarget, targetId, targetOfId } from "../core/stream_target.ts";
import { JobTracker } from "./job_tracker.ts";
import { StreamRunner } from "./stream_runner.ts";
import { EventChannel } from "./event_channel.ts";
import { bufferedEvent, eventsOf } from "./events_of.ts";
import { type FirstLook, firstLook } from "./job_lookup.ts";
import { lazyImport } from "../platform/lazy_import.ts";

export type { FollowOptions, StreamHandle, StreamListener } from "./stream.ts";
export type { StreamTarget } from "../core/stream_target.ts";
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

/** One target for {@link StreamManager.startStreams}. */
export interface StreamRequest extends FollowOptions {
  target: StreamTarget;
  /** "stdout", "stderr", or "all" for both (the default is "stdout"). */
  type?: StreamType | "all";
}

/**
 * Streams a request starts: one per type, except for a file with no separate stderr file
 * (`--path F` under `--type all`), which is one stream — stdout and stderr are the same file,
 * and the tracker reads each path once.
 */
function streamCount(target: StreamTarget, types: StreamType[]): number {
  return target.kind === "file" && target.stderrPath === undefined
    ? Math.min(1, types.length)
    : types.length;
}

/** The streaming engine. */
export class StreamManager {
  readonly config: Config;
  readonly cluster?: ClusterBackend;
  #filter = new LineFilter();
  #listeners = new Set<StreamListener>();
  #trackers = new Map<string, JobTracker>();
  #runner: StreamRunner;
  /** Scroll-back buffers wanted and not yet set up (their module loads with the first start). */
  #buffersWanted: boolean;

  constructor(options: StreamManagerOptions) {
    this.config = options.config;
    this.cluster = options.cluster;
    this.#buffersWanted = options.keepBuffers ?? true;
    this.#runner = new StreamRunner({
      config: this.config,
      cluster: this.cluster,
      debug: options.debug ?? NO_DEBUG,
      listeners: this.#listeners,
      filter: this.#filter,
      progress: options.progress ?? this.config.streaming.progress_updates,
    });
    for (const f of this.config.streaming.filters) {
      this.addFilter(f.name, f.pattern, {
        action: f.action,
        color: f.color,
        highlight: f.highlight,
      });
    }
  }

  /**
   * Add a named filter: include, exclude or highlight (with a color). `highlight` colors the
   * matching lines (default: for highlight filters only).
   */
  addFilter(
    name: string,
    pattern: string,
    options: { action?: FilterAction; color?: string; highlight?: boolean } = {},
  ): void {
    this.#filter.add({
      name,
      action: options.action ?? "include",
      color: options.color ?? "red",
      highlight: options.highlight,
      regex: compileUserPattern(pattern, `filter "${name}"`),
    });
  }

  /** The filters every stream applies. */
  get filter(): LineFilter {
    return this.#filter;
  }

  /** Every stream, in start order. */
  get streams(): StreamHandle[] {
    return [...this.#runner.streams.values()];
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

  /** The records of the jobs that ended, as their trackers last saw them (by target id). */
  endedJobs(id: string): JobInfo[] | undefined {
    for (const t of this.#trackers.values()) if (t.id === id) return t.endedJobs;
    return undefined;
  }

  /** Errors that ended streams (permission denied…), for the CLI to report and exit non-zero. */
  get errors(): readonly UserFacingError[] {
    return this.#runner.errors;
  }

  /**
   * Start streaming a target's output: a {@link StreamTarget}, or a job id ("123", "123_4", a
   * step "123.0"). `type` "all" starts stdout and stderr (one stream when they share a file).
   * Resolves once the job is found; lines arrive through listeners/getStream.
   */
  startStream(
    target: StreamTarget | string,
    type: StreamType | "all" = "stdout",
    options: FollowOptions = {},
  ): Promise<void> {
    const t = typeof target === "string" ? targetOfId(target) : target;
    return this.startStreams([{ target: t, type, ...options }]);
  }

  /**
   * Start several jobs at once. Everything is checked first — the stream limit, the job ids, the
   * lookups — so that an error is reported before any stream starts (and prints a line).
   */
  async startStreams(requests: StreamRequest[]): Promise<void> {
    const planned = new Map<
      string,
      { target: StreamTarget; types: StreamType[] } & FollowOptions
    >();
    for (const r of requests) {
      const types: StreamType[] = r.type === "all" ? ["stdout", "stderr"] : [r.type ?? "stdout"];
      const key = `${targetId(r.target)}|${types.join(",")}`;
      if (this.#trackers.has(key) || planned.has(key)) continue;
      planned.set(key, { ...r, types });
    }
    const limit = this.config.streaming.max_concurrent_streams;
    const active = [...this.#runner.streams.values()].filter((s) => !s.ended).length;
    const wanted = [...planned.values()].reduce((n, p) => n + streamCount(p.target, p.types), 0);
    if (active + wanted > limit) {
      throw new UserFacingError(
        `cannot start more than ${limit} concurrent streams (streaming.max_concurrent_streams)`,
        { hint: "stop a stream first, or raise streaming.max_concurrent_streams in the config" },
      );
    }
    if (this.#buffersWanted) {
      const { bufferForStream } = await lazyImport<typeof import("./stream_buffer.ts")>(
        "src/engine/stream_buffer.ts",
      );
      this.#runner.keepBuffers(bufferForStream);
      this.#buffersWanted = false;
    }
    const ready: [string, JobTracker, FirstLook][] = [];
    for (const [key, p] of planned) {
      const look = await firstLook(p.target, p.types, {
        config: this.config.streaming,
        cluster: this.cluster,
      });
      const run = { follow: p.follow, tail: p.tail, splitTasks: p.splitTasks };
      ready.push([key, new JobTracker(p.target, p.types, run, this.#runner), look]);
    }
    for (const [key, tracker, look] of ready) {
      if (this.#trackers.has(key)) continue;
      this.#trackers.set(key, tracker);
      tracker.start(look);
    }
  }

  /** Stop streams of a job (all types, or one). */
  stopStream(jobId: string, type?: StreamType): void {
    for (const [key, t] of this.#trackers) {
      if (!t.covers(jobId)) continue;
      for (const s of t.streams.values()) {
        if (type && s.type !== type) continue;
        if (t.id === jobId || s.jobId === jobId) {
          this.#runner.endStream(s, "ended", `stream ${s.key} stopped`);
        }
      }
      if ([...t.streams.values()].every((s) => s.ended)) {
        t.stop.abort();
        this.#trackers.delete(key);
      }
    }
    for (const [key, s] of this.#runner.streams) {
      if (s.ended && (s.jobId === jobId) && (!type || s.type === type)) {
        s.buffer?.close();
        this.#runner.streams.delete(key);
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
    for (const s of this.#runner.streams.values()) s.buffer?.close();
    this.#runner.close();
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
