/**
 * The engine's hands on its streams, for the trackers: registers streams, runs a source into a
 * stream (the source chosen by {@link SourceSelection}), filters and hands each batch to
 * the listeners (awaiting them: backpressure), and turns state changes into status events.
 * @module
 */
import type { Config } from "../config/schema.ts";
import { UserFacingError } from "../errors.ts";
import { osReason } from "../platform/os_reason.ts";
import { type ClusterBackend, isTerminal } from "../cluster/job.ts";
import type { DebugLog } from "../core/debug_log.ts";
import type { LineBatch, Preselect } from "../core/line_batch.ts";
import {
  buildStreamEvent,
  streamKey,
  type StreamState,
  type StreamType,
} from "../core/stream_event.ts";
import type { LineFilter, Selection } from "./filter.ts";
import type { bufferForStream } from "./stream_buffer.ts";
import { type SourceRequest, Stream, type StreamListener, type StreamPart } from "./stream.ts";
import type { TrackerHost } from "./job_tracker.ts";
import { SourceSelection } from "./source_selection.ts";
import { TaskStreams } from "./task_streams.ts";
import { turnEventLoopIfDue } from "../platform/loop_turn.ts";

/** Options for a {@link StreamRunner}. */
export interface StreamRunnerOptions {
  config: Config;
  cluster?: ClusterBackend;
  debug: DebugLog;
  /** The manager's listeners (shared, so subscribing later reaches running streams). */
  listeners: Set<StreamListener>;
  /** The manager's filters. */
  filter: LineFilter;
  /**
   * Makes each stream's scroll-back buffer; none kept without it. Set by the manager before its
   * first stream (the buffers' module loads only for a run that keeps them).
   */
  buffers?: typeof bufferForStream;
  /** Report `\r` progress states while a line is being written. */
  progress: boolean;
}

/** Runs streams for the job trackers; owns the streams and the sources' shared resources. */
export class StreamRunner implements TrackerHost {
  readonly config: Config;
  readonly cluster?: ClusterBackend;
  readonly debug: DebugLog;
  /** Every stream, in start order, by key. */
  readonly streams = new Map<string, Stream>();
  /** Errors that ended streams (permission denied…). */
  readonly errors: UserFacingError[] = [];
  #o: StreamRunnerOptions;
  #sources: SourceSelection;
  #tasks = new TaskStreams((jobId, type, part) => this.newStream(jobId, type, part));

  constructor(options: StreamRunnerOptions) {
    this.#o = options;
    this.config = options.config;
    this.cluster = options.cluster;
    this.debug = options.debug;
    this.#sources = new SourceSelection({
      config: options.config.streaming,
      debug: options.debug,
      progress: options.progress,
    });
  }

  /** Keep a scroll-back buffer per stream from now on, made by `make`. */
  keepBuffers(make: typeof bufferForStream): void {
    this.#o.buffers = make;
  }

  /** Forget a stream entirely (a placeholder whose tasks took over). */
  forgetStream(s: Stream): void {
    this.streams.delete(s.key);
  }

  /** Release what sources share (watches, SSH connections). */
  close(): void {
    this.#sources.close();
  }

  /** Register a new stream (listeners hear of it); `part`: one task's or node's stream. */
  newStream(jobId: string, type: StreamType, part?: StreamPart): Stream {
    const key = streamKey(part ? `${jobId} ${part.label}` : jobId, type);
    const s = new Stream(key, jobId, type, part);
    // One shared budget across streams; old lines are compressed, then spilled to disk.
    if (this.#o.buffers) s.buffer = this.#o.buffers(this.config.streaming, key);
    this.streams.set(key, s);
    for (const l of this.#o.listeners) l.onStart?.(s);
    return s;
  }

  /** Read one target into a stream until the source ends (the tracker ends the stream). */
  async runSource(s: Stream, req: SourceRequest): Promise<void> {
    s.location = req.loc;
    s.follows = req.follow;
    s.reading = true;
    const source = await this.#sources.select({
      ...req,
      label: s.key,
      type: s.type,
      // --tail applies to the first run only; a rerun's output is all new.
      tail: s.source ? undefined : req.tail,
      signal: s.abort.signal,
      status: (state, message) => this.status(s, state, message),
      preselect: () => this.#preselect(s),
    });
    // A new source numbers its lines from 1; after a requeue, line_num continues the stream's.
    const base = s.source ? s.lastLineNum : 0;
    s.source = source;
    s.sourceKind = source.kind;
    this.debug.log(
      "STREAM",
      `start ${s.key} ${
        req.loc ? `${req.loc.path} (${req.loc.from})` : source.kind
      } follow=${req.follow} base=${base}`,
    );
    if (s.job && isTerminal(s.job.state)) source.finish();
    try {
      await source.run({
        batch: (batch) =>
          this.#onBatch(s, base ? { ...batch, firstLine: batch.firstLine + base } : batch),
        progress: (text, num) => {
          for (const l of this.#o.listeners) l.onProgress?.(s, text, num + base);
        },
        status: (st) => {
          if (st.state === "live") s.liveSince ??= Date.now();
          if (st.rewritten) s.rewrittenAt = Date.now();
          if (st.state === "ended") return; // reported when the stream ends
          this.status(s, st.state, st.message);
        },
      });
    } catch (err) {
      this.debug.log("STREAM", `source ${s.key} failed: ${(err as Error).stack ?? err}`);
      // Every stream that ends in an error is an error of the run (exit 1), said in words: a
      // symlink loop or a name too long once ended its stream quietly with exit 0. Known before
      // listeners hear of the end, so a CLI can tell this status is an error of its own it
      // reports (once) rather than a passing notice. Stopped on purpose (Ctrl+C, the manager
      // closing): no failure to report.
      const message = s.abort.signal.aborted
        ? (err as Error).message
        : this.fail(req.loc?.path ?? s.key, err).message;
      this.endStream(s, "error", message);
    }
  }

  /**
   * Record why a stream stopped: anything but a clean end is an error the command reports (exit
   * 1). A failure s9s did not foresee keeps its reason, on one line: `cannot follow "what": …`.
   */
  fail(what: string, err: unknown): UserFacingError {
    const failure = err instanceof UserFacingError
      ? err
      : new UserFacingError(`cannot follow "${what}": ${osReason(err)}`, { cause: err });
    if (!this.errors.includes(failure)) this.errors.push(failure);
    return failure;
  }

  /**
   * The include filter's strings, when they are all a stream's lines are wanted for: no
   * scroll-back buffer or task split (which keep every line), and every listener takes only the
   * selection. Asked by the source at each read, so a listener added later is heard at once.
   */
  #preselect(s: Stream): Preselect | undefined {
    if (s.buffer || s.splitTasks || this.#o.listeners.size === 0) return undefined;
    for (const l of this.#o.listeners) if (!l.selectedOnly) return undefined;
    return this.#o.filter.preselect();
  }

  /**
   * Hand a batch to the listeners. Synchronous while every listener takes its lines at once (a
   * busy turn of fifty files then costs no promise chain per batch); a promise, to wait for,
   * from the first listener that applies backpressure (the rest hear of the batch after it).
   */
  #onBatch(s: Stream, batch: LineBatch): Promise<void> | undefined {
    if (s.splitTasks) return this.#deliverTasks(s, batch);
    return this.#deliver(s, batch);
  }

  async #deliverTasks(s: Stream, batch: LineBatch): Promise<void> {
    for (const [t, b] of this.#tasks.split(s, batch)) await this.#deliver(t, b);
  }

  #deliver(s: Stream, batch: LineBatch): Promise<void> | undefined {
    if (batch.preselected && !s.preselected) {
      s.preselected = true;
      this.debug.log("STREAM", `${s.key}: only the lines the include filter can keep are decoded`);
    }
    s.lines += batch.count;
    s.lastLineAt = batch.time;
    s.lastLineNum = batch.firstLine + batch.count - 1;
    if (s.state !== "live") s.state = "live";
    s.buffer?.append(batch);
    const selection = this.#o.filter.select(batch);
    const listeners = this.#o.listeners.values();
    for (let l = listeners.next(); !l.done; l = listeners.next()) {
      const r = l.value.onLines?.(s, batch, selection);
      if (r) return this.#deliverRest(r, listeners, s, batch, selection);
    }
    return turnEventLoopIfDue();
  }

  /** The rest of {@link #deliver} once a listener asked to wait: one listener after another. */
  async #deliverRest(
    wait: Promise<void>,
    rest: Iterator<StreamListener>,
    s: Stream,
    batch: LineBatch,
    selection: Selection,
  ): Promise<void> {
    await wait;
    for (let l = rest.next(); !l.done; l = rest.next()) {
      await l.value.onLines?.(s, batch, selection);
    }
    await turnEventLoopIfDue();
  }

  /** Set a stream's state and tell listeners with a status event. */
  status(s: Stream, state: StreamState, message?: string): void {
    s.state = state;
    s.message = message;
    this.debug.log("STREAM", `${s.key} ${state}${message ? `: ${message}` : ""}`);
    const ev = buildStreamEvent({
      jobId: s.jobId,
      type: "status",
      content: message ?? state,
      time: Date.now(),
      lineNum: s.lines,
      source: s.sourceKind,
    }, {
      // A task's or node's own stream says whose it is, as its lines do.
      task: s.part?.task,
      node: s.part?.node,
      state,
      stream: s.type,
      job_state: s.jobState,
      discarded: s.discarded,
    });
    for (const l of this.#o.listeners) l.onStatus?.(s, ev);
  }

  /** End a stream (once); `quiet` skips the status event. */
  endStream(s: Stream, state: StreamState, message?: string, quiet = false): void {
    if (s.ended) return;
    for (const t of this.#tasks.childrenOf(s)) {
      this.endStream(t, state, `stream ${t.key} ended after ${t.lines} line(s)`, quiet);
    }
    s.ended = true;
    if (!quiet) this.status(s, state, message);
    s.abort.abort();
    for (const l of this.#o.listeners) l.onEnd?.(s);
  }
}
