/**
 * The engine: starts streams for jobs, follows their lifecycle, filters lines and hands them to
 * listeners (text/json sinks, the TUI, history, metrics) in batches. Knows nothing of display.
 * @module
 */
import { dirname } from "node:path";
import type { Config } from "../config/schema.ts";
import { JobNotFoundError, UsageError, UserFacingError } from "../errors.ts";
import {
  baseState,
  type ClusterBackend,
  isPending,
  isTerminal,
  type JobInfo,
  parseJobId,
} from "../cluster/job.ts";
import { AccountingUnavailableError } from "../cluster/accounting_unavailable_error.ts";
import { type Location, type Resolution, resolveOutput } from "../cluster/path_resolver.ts";
import { FileSource } from "../sources/file.ts";
import type { Source } from "../sources/source.ts";
import { WatchHub } from "../sources/watch_hub.ts";
import { type DebugLog, NO_DEBUG } from "../core/debug_log.ts";
import { compileUserPattern, type FilterAction, LineFilter, type Selection } from "./filter.ts";
import { batchLines, type LineBatch } from "../core/line_batch.ts";
import { bufferForStream, type StreamBuffer } from "./stream_buffer.ts";
import type { SourceKind, StreamEvent, StreamState, StreamType } from "../core/stream_event.ts";
import { streamKey } from "../core/stream_event.ts";

/** Public view of one stream. */
export interface StreamHandle {
  readonly key: string;
  readonly jobId: string;
  readonly type: StreamType;
  readonly state: StreamState;
  readonly jobState?: string;
  readonly job?: JobInfo;
  readonly location?: Location;
  readonly sourceKind: SourceKind;
  /** Lines read so far. */
  readonly lines: number;
  /** Lines forced out of the buffer by its caps. */
  readonly discarded: number;
  /** Scroll-back (when the manager keeps buffers). */
  readonly buffer?: StreamBuffer;
  /** Epoch ms of the last line. */
  readonly lastLineAt?: number;
  /** The last status message. */
  readonly message?: string;
}

/** Receives what streams produce. Returned promises are awaited (backpressure). */
export interface StreamListener {
  onLines?(stream: StreamHandle, batch: LineBatch, selection: Selection): void | Promise<void>;
  onProgress?(stream: StreamHandle, text: string, lineNum: number): void;
  onStatus?(stream: StreamHandle, event: StreamEvent): void;
  onEnd?(stream: StreamHandle): void;
  /** A new stream appeared (e.g. a new array task). */
  onStart?(stream: StreamHandle): void;
}

/** Options for a {@link StreamManager}. */
export interface StreamManagerOptions {
  config: Config;
  cluster?: ClusterBackend;
  debug?: DebugLog;
  /** Keep a scroll-back buffer per stream (the TUI does; `s9s stream` need not). */
  keepBuffers?: boolean;
  /** Report `\r` progress states while a line is being written. */
  progress?: boolean;
}

/** Options for {@link StreamManager.startStream}. */
export interface StartOptions {
  /** Path override (Slurm patterns allowed). */
  path?: string;
  /** Separate stderr path override. */
  stderrPath?: string;
  /** Keep following (default true). */
  follow?: boolean;
  /** Start with the last N lines. */
  tail?: number;
  /** Not a job: just follow the path (no cluster lookup, no lifecycle). */
  fileOnly?: boolean;
}

class Stream implements StreamHandle {
  state: StreamState = "pending";
  jobState?: string;
  job?: JobInfo;
  location?: Location;
  sourceKind: SourceKind = "file";
  lines = 0;
  lastLineAt?: number;
  message?: string;
  buffer?: StreamBuffer;
  source?: Source;
  abort = new AbortController();
  ended = false;
  idleWarned = false;
  liveSince?: number;
  /** line_num of the last line emitted (a rerun's lines continue from it). */
  lastLineNum = 0;
  /** Stands for an array record not yet split into tasks. */
  placeholder = false;
  /** The job's restart count when a requeue was last seen. */
  requeuedTo = 0;
  /** The restart count of the run the current source reads. */
  runRestarts = 0;
  constructor(readonly key: string, readonly jobId: string, readonly type: StreamType) {}
  get discarded(): number {
    return this.buffer?.discarded ?? 0;
  }
}

/** Tracks one requested job id (a job, an array, or one task). */
interface Tracker {
  id: string;
  types: StreamType[];
  options: StartOptions;
  streams: Map<string, Stream>;
  done: Promise<void>;
  stop: AbortController;
  exitCode?: number;
  /** Why the cluster could not say whether the job exists (accounting unavailable). */
  unknownWhy?: string;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });

/** The streaming engine. */
export class StreamManager {
  readonly config: Config;
  readonly cluster?: ClusterBackend;
  #debug: DebugLog;
  #filter = new LineFilter();
  #listeners = new Set<StreamListener>();
  #trackers = new Map<string, Tracker>();
  #streams = new Map<string, Stream>();
  #hub: WatchHub;
  #keepBuffers: boolean;
  #progress: boolean;

  constructor(options: StreamManagerOptions) {
    this.config = options.config;
    this.cluster = options.cluster;
    this.#debug = options.debug ?? NO_DEBUG;
    this.#keepBuffers = options.keepBuffers ?? true;
    this.#progress = options.progress ?? false;
    this.#hub = new WatchHub(this.config.streaming.file_polling.use_inotify);
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

  /**
   * Start streaming a job's output. `type` "all" starts stdout and stderr (one stream when they
   * share a file). Resolves once the job is found; lines arrive through listeners/getStream.
   */
  async startStream(
    jobId: string,
    type: StreamType | "all" = "stdout",
    options: StartOptions = {},
  ): Promise<void> {
    const types: StreamType[] = type === "all" ? ["stdout", "stderr"] : [type];
    const limit = this.config.streaming.max_concurrent_streams;
    const active = [...this.#streams.values()].filter((s) => !s.ended).length;
    if (active + types.length > limit) {
      throw new UserFacingError(
        `cannot start more than ${limit} concurrent streams (streaming.max_concurrent_streams)`,
        { hint: "stop a stream first, or raise streaming.max_concurrent_streams in the config" },
      );
    }
    const trackerKey = `${jobId}|${types.join(",")}`;
    if (this.#trackers.has(trackerKey)) return;
    const stop = new AbortController();
    const tracker: Tracker = {
      id: jobId,
      types,
      options,
      streams: new Map(),
      stop,
      done: Promise.resolve(),
    };
    let unknown: AccountingUnavailableError | undefined;
    const jobs = options.fileOnly ? [] : await this.#lookup(jobId).catch((err) => {
      // slurmctld forgot the job and accounting could not be asked: its file may still be there.
      if (!(err instanceof AccountingUnavailableError)) throw err;
      tracker.unknownWhy = (unknown = err).message;
      return [];
    });
    const first = await this.#firstResolution(jobId, jobs, types, options).catch((err) => {
      throw unknown && err instanceof JobNotFoundError ? unknown : err;
    });
    this.#trackers.set(trackerKey, tracker);
    tracker.done = this.#track(tracker, jobs, first).catch((err) => {
      this.#debug.log("STREAM", `tracker ${jobId} failed: ${(err as Error).stack ?? err}`);
      for (const s of tracker.streams.values()) this.#endStream(s, "error", (err as Error).message);
    });
  }

  async #lookup(jobId: string): Promise<JobInfo[]> {
    if (!this.cluster) return [];
    if (!parseJobId(jobId)) {
      throw new UsageError(`"${jobId}" is not a job id`, {
        hint: "job ids look like 123 or 123_4 (array task)",
      });
    }
    try {
      return await this.cluster.getJob(jobId);
    } catch (err) {
      if (err instanceof UserFacingError) throw err;
      throw new UserFacingError(`could not look up job "${jobId}": ${(err as Error).message}`, {
        hint: "check that Slurm answers (`squeue`), or use --path to follow the file directly",
        cause: err,
      });
    }
  }

  /** For a job the cluster does not know: is there a file to read anyway? */
  async #firstResolution(
    jobId: string,
    jobs: JobInfo[],
    types: StreamType[],
    options: StartOptions,
  ): Promise<Resolution[] | undefined> {
    if (jobs.length > 0) return undefined;
    const res = await Promise.all(
      types.map((t) =>
        resolveOutput(jobId, undefined, t, this.config.streaming, {
          pathOverride: options.path,
          stderrPathOverride: options.stderrPath,
        })
      ),
    );
    if (res.some((r) => r.location)) return res;
    if (this.cluster && !options.fileOnly) {
      throw new JobNotFoundError(jobId, { details: triedLines(res) });
    }
    throw new UsageError(
      `no Slurm cluster to ask about job "${jobId}" and no output file found for it`,
      {
        hint:
          "run on a login node with Slurm's commands, configure streaming.slurm_api, use --path FILE, or try --mock",
        details: triedLines(res),
      },
    );
  }

  /** Follow a job (or its array tasks) until it ends. */
  async #track(tracker: Tracker, initial: JobInfo[], fileOnly?: Resolution[]): Promise<void> {
    const { options } = tracker;
    if (fileOnly) {
      // The cluster does not know the job (never did, or forgot it: MinJobAge). Follow the file;
      // a forgotten job is finished, so read what is there and end — unless a path was given.
      const follow = options.follow !== false &&
        (!this.cluster || options.path !== undefined || options.fileOnly === true);
      const seen = new Set<string>();
      await Promise.all(tracker.types.map(async (type, i) => {
        const loc = fileOnly[i].location;
        if (!loc || seen.has(loc.path)) return;
        seen.add(loc.path);
        const s = this.#newStream(tracker, tracker.id, type, undefined);
        if (this.cluster && !options.fileOnly) {
          this.#status(
            s,
            s.state,
            `${
              tracker.unknownWhy ?? `job ${tracker.id} is not known to Slurm (finished and purged?)`
            }; reading ${loc.path}`,
          );
        }
        await this.#runSource(s, loc, follow, options);
        this.#endStream(s, "ended", `stream ${s.key} ended after ${s.lines} lines`);
      }));
      return;
    }
    const pollMs = this.config.cluster.poll_interval;
    const wantsTask = tracker.id.includes("_");
    const running = new Map<string, Promise<void>>();
    let jobs = initial;
    let misses = 0;
    while (true) {
      const unsplit = new Set<string>();
      for (const job of jobs) {
        if (wantsTask && job.id !== tracker.id) continue;
        if (isUnsplitArray(job)) {
          // An array record not (yet) split into tasks ("123_[2-5%1]"): a placeholder stream
          // shows its state; tasks get their own streams as they start.
          unsplit.add(job.id);
          this.#noteStreams(tracker, job, [this.#placeholder(tracker, job)]);
          continue;
        }
        if (!running.has(job.id)) {
          running.set(
            job.id,
            this.#superviseJob(tracker, job).then(() => {
              // A single job whose streams all ended early (unreadable file, --no-follow):
              // nothing more will come, so stop polling instead of waiting for the job to end.
              if (!wantsTask && job.arrayJobId !== undefined) return;
              if ([...tracker.streams.values()].every((s) => s.ended)) tracker.stop.abort();
            }),
          );
        } else {
          this.#updateJob(tracker, job);
        }
      }
      this.#dropPlaceholders(tracker, unsplit);
      const allFinal = jobs.length > 0 && jobs.every((j) => isTerminal(j.state));
      if (allFinal || tracker.stop.signal.aborted) break;
      await sleep(pollMs, tracker.stop.signal);
      if (tracker.stop.signal.aborted) break;
      try {
        // One backend call per poll for the whole tracker (all tasks of an array at once).
        const next = await this.cluster!.getJob(tracker.id);
        if (next.length === 0) {
          // Purged by slurmctld: whatever we follow has ended.
          if (++misses >= 2) {
            for (const j of jobs) j.state = isTerminal(j.state) ? j.state : "COMPLETED";
            break;
          }
        } else {
          misses = 0;
          jobs = next;
        }
      } catch (err) {
        this.#debug.log("CLUSTER", `poll of ${tracker.id} failed: ${(err as Error).message}`);
        for (const s of tracker.streams.values()) {
          if (!s.ended) {
            this.#status(s, "retrying", `cannot reach Slurm: ${(err as Error).message}; retrying`);
          }
        }
      }
    }
    for (const j of jobs) {
      if (wantsTask && j.id !== tracker.id) continue;
      if (isUnsplitArray(j)) this.#noteStreams(tracker, j, [this.#placeholder(tracker, j)]);
      else this.#updateJob(tracker, j);
    }
    this.#dropPlaceholders(tracker, new Set());
    await Promise.all(running.values());
    const codes = jobs.filter((j) => !wantsTask || j.id === tracker.id).map(jobExitCode);
    tracker.exitCode = codes.length ? Math.max(...codes) : 0;
  }

  #placeholder(tracker: Tracker, job: JobInfo): Stream {
    const key = streamKey(job.id, tracker.types[0]);
    let s = tracker.streams.get(key);
    if (!s) {
      s = this.#newStream(tracker, job.id, tracker.types[0], undefined);
      s.placeholder = true;
    }
    return s;
  }

  /** End the placeholders of array records that are gone (split into tasks) or finished. */
  #dropPlaceholders(tracker: Tracker, keep: Set<string>): void {
    for (const [key, s] of tracker.streams) {
      if (!s.placeholder || s.ended) continue;
      if (keep.has(s.jobId) && !(s.jobState && isTerminal(s.jobState))) continue;
      this.#endStream(s, "ended", undefined, true);
      if (!(s.jobState && isTerminal(s.jobState))) {
        // Its tasks took over: forget the placeholder.
        tracker.streams.delete(key);
        this.#streams.delete(key);
      }
    }
  }

  /** Latest job info from a poll: state changes, requeues, and finishing its sources. */
  #updateJob(tracker: Tracker, job: JobInfo): void {
    const streams = [...tracker.streams.values()].filter((s) =>
      s.jobId === job.id && !s.placeholder
    );
    this.#noteStreams(tracker, job, streams);
    for (const s of streams) {
      if (isTerminal(job.state)) s.source?.finish();
      // Requeued and waiting to run again: the old run's output is complete; read it to the end.
      // The next run truncates and rewrites the file, and is read from its start then.
      else if (s.requeuedTo > s.runRestarts) {
        if (isRunning(job.state)) {
          // Requeued and restarted between two polls: the live source sees the truncation itself.
          s.runRestarts = s.requeuedTo;
        } else {
          s.source?.finish();
        }
      }
    }
  }

  /** Record new job info on a job's streams; job-level news is announced once, on one stream. */
  #noteStreams(_tracker: Tracker, job: JobInfo, streams: Stream[]): void {
    const herald = streams.find((s) => !s.ended) ?? streams[0];
    for (const s of streams) this.#noteJob(s, job, s === herald);
  }

  #noteJob(s: Stream, job: JobInfo, announce: boolean): void {
    const prevState = s.jobState;
    const prevRestarts = s.job?.restarts ?? 0;
    const seenBefore = s.job !== undefined;
    s.job = job;
    s.jobState = job.state;
    const reason = job.reason && job.reason !== "None" ? ` (${job.reason})` : "";
    if ((job.restarts ?? 0) > prevRestarts && seenBefore) {
      s.requeuedTo = job.restarts ?? 0;
      if (announce) {
        this.#status(
          s,
          s.ended ? "ended" : s.state,
          `job ${job.id} was requeued (restart ${job.restarts}); its output file will be rewritten when it runs again`,
        );
      }
    }
    if (prevState !== job.state && announce) {
      const waiting = isPending(job.state) ? "; waiting for it to start" : "";
      this.#status(
        s,
        s.ended ? "ended" : isPending(job.state) ? "pending" : s.state,
        `job ${job.id} is ${job.state}${reason}${waiting}`,
      );
    }
    if (
      !s.ended && !s.idleWarned && s.liveSince !== undefined && isRunning(job.state) &&
      Date.now() - (s.lastLineAt ?? s.liveSince) >= this.config.streaming.idle_warning
    ) {
      s.idleWarned = true;
      this.#status(
        s,
        "idle",
        `job ${job.id} is running but has written nothing to ${s.type} for ${
          Math.round((Date.now() - (s.lastLineAt ?? s.liveSince)) / 1000)
        }s; its output may be buffered: use \`python -u\` or PYTHONUNBUFFERED=1, \`srun --unbuffered\`, or \`stdbuf -oL\``,
      );
    }
  }

  /**
   * Wait for one job (or task) to start, then follow its streams until it ends. A requeued job
   * is followed through its next run: the file is read again from its start (Slurm truncates it)
   * and line numbers continue from the previous run's.
   */
  async #superviseJob(tracker: Tracker, job: JobInfo): Promise<void> {
    const streams = tracker.types.map((t) => {
      const key = streamKey(job.id, t);
      return tracker.streams.get(key) ?? this.#newStream(tracker, job.id, t, undefined);
    });
    const signal = tracker.stop.signal;
    const latest = () => streams[0].job ?? job;
    this.#noteStreams(tracker, job, streams);
    let runs = 0;
    let lastStart: number | undefined;
    while (!signal.aborted) {
      // Pending (or requeued): the tracker's poll updates s.job until it runs or ends.
      while (isPending(latest().state) && !signal.aborted) {
        await sleep(Math.min(500, this.config.cluster.poll_interval), signal);
      }
      if (signal.aborted) break;
      const current = latest();
      if (runs > 0 && !ranAgain(current, lastStart)) break;
      for (const s of streams) s.runRestarts = Math.max(current.restarts ?? 0, s.requeuedTo);
      if (runs > 0) {
        const herald = streams.find((s) => s.source) ?? streams[0];
        this.#status(
          herald,
          "live",
          `job ${job.id} runs again after a requeue: its output file is rewritten; reading it again from the start (line numbers continue after ${herald.lastLineNum})`,
        );
      }
      lastStart = current.startTime;
      runs++;
      await this.#runStreams(tracker, job.id, current, streams);
      const requeued = streams.some((s) => s.requeuedTo > s.runRestarts);
      if (!requeued || streams.every((s) => s.ended) || tracker.options.follow === false) break;
    }
    for (const s of streams) {
      this.#endStream(s, "ended", `stream ${s.key} ended after ${s.lines} lines`);
    }
  }

  /** Resolve and read the files of one run of a job; stdout and stderr in one file are read once. */
  async #runStreams(
    tracker: Tracker,
    jobId: string,
    current: JobInfo,
    streams: Stream[],
  ): Promise<void> {
    const live = streams.filter((s) => !s.ended);
    const resolved = await Promise.all(
      live.map((s) =>
        resolveOutput(jobId, current, s.type, this.config.streaming, {
          pathOverride: tracker.options.path,
          stderrPathOverride: tracker.options.stderrPath,
        })
      ),
    );
    const seen = new Map<string, Stream>();
    const runs: Promise<void>[] = [];
    // live is in type order (stdout first), so a shared file is shown as the stdout stream.
    live.forEach((s, i) => {
      const loc = resolved[i].location;
      if (!loc) {
        this.#endStream(s, "error", `no output file found for job ${jobId} ${s.type}`);
        return;
      }
      const twin = seen.get(loc.path);
      if (twin) {
        this.#endStream(
          s,
          "ended",
          `${s.type} goes to the same file as ${twin.type} (${loc.path}); shown there`,
        );
        return;
      }
      seen.set(loc.path, s);
      const follow = tracker.options.follow !== false && !isTerminal(current.state);
      runs.push(this.#runSource(s, loc, follow, tracker.options));
    });
    await Promise.all(runs);
  }

  #newStream(tracker: Tracker, jobId: string, type: StreamType, job: JobInfo | undefined): Stream {
    const key = streamKey(jobId, type);
    const s = new Stream(key, jobId, type);
    s.job = job;
    s.jobState = job?.state;
    if (this.#keepBuffers) {
      // One shared budget across streams; old lines are compressed, then spilled to disk.
      s.buffer = bufferForStream(this.config.streaming, key);
    }
    tracker.streams.set(key, s);
    this.#streams.set(key, s);
    for (const l of this.#listeners) l.onStart?.(s);
    return s;
  }

  /** Read one file into a stream until the source ends (the caller ends the stream). */
  async #runSource(
    s: Stream,
    loc: Location,
    follow: boolean,
    options: StartOptions,
  ): Promise<void> {
    s.location = loc;
    const cfg = this.config.streaming;
    // --tail applies to the first run only; a rerun's output is all new.
    const tailLines = s.source ? undefined : options.tail;
    const source = await this.#remoteSource(s, loc, follow, tailLines) ??
      new FileSource(loc.path, {
        pollIntervalMs: cfg.polling_interval,
        chunkSize: Math.max(4096, cfg.buffer_size),
        maxLineBytes: cfg.max_line_length,
        follow,
        tailLines,
        signal: s.abort.signal,
        watchHub: this.#hub,
        progress: this.#progress,
        debug: (m) => this.#debug.log("STREAM", m),
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

  #sshPool?: import("../sources/ssh_pool.ts").SshPool;

  /**
   * A file this host cannot see, on the node that runs the job, is followed over SSH: when the
   * node has it, or when it is not there yet and its directory is node-local storage.
   */
  async #remoteSource(
    s: Stream,
    loc: Location,
    follow: boolean,
    tailLines: number | undefined,
  ): Promise<Source | undefined> {
    const ssh = this.config.streaming.ssh;
    if (!loc.host || !ssh.enabled || await pathExists(loc.path)) return undefined;
    const [{ SshPool, shQuote }, { SshFileSource }] = await Promise.all([
      import("../sources/ssh_pool.ts"),
      import("../sources/ssh.ts"),
    ]);
    this.#sshPool ??= new SshPool(ssh, (m) => this.#debug.log("STREAM", m));
    let remote: boolean;
    try {
      const r = await this.#sshPool.run(loc.host, `test -e ${shQuote(loc.path)}`);
      remote = r.code === 0 || !(await pathExists(dirname(loc.path))) || isNodeLocal(loc.path);
    } catch (err) {
      this.#status(
        s,
        "waiting",
        `"${loc.path}" is not visible here and ${loc.host} cannot be reached over SSH: ${
          (err as Error).message
        }; waiting for the file to appear here`,
      );
      return undefined;
    }
    if (!remote) return undefined;
    this.#debug.log("STREAM", `${s.key}: ${loc.path} is on ${loc.host}; following it over SSH`);
    return new SshFileSource(loc.host, loc.path, {
      pool: this.#sshPool,
      follow,
      tailLines,
      maxLineBytes: this.config.streaming.max_line_length,
      signal: s.abort.signal,
      progress: this.#progress,
      retryAttempts: ssh.retry_attempts,
      debug: (m) => this.#debug.log("STREAM", m),
    });
  }

  #errors: UserFacingError[] = [];

  /** Errors that ended streams (permission denied…), for the CLI to report and exit non-zero. */
  get errors(): readonly UserFacingError[] {
    return this.#errors;
  }

  async #onBatch(s: Stream, batch: LineBatch): Promise<void> {
    s.lines += batch.count;
    s.lastLineAt = batch.time;
    s.lastLineNum = batch.firstLine + batch.count - 1;
    if (s.state !== "live") {
      s.state = "live";
    }
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
    const ev: StreamEvent = {
      job_id: s.jobId,
      type: "status",
      content: message ?? state,
      timestamp: new Date().toISOString(),
      line_num: s.lines,
      source: s.sourceKind,
      state,
      stream: s.type,
    };
    if (s.jobState) ev.job_state = s.jobState;
    if (s.discarded) ev.discarded = s.discarded;
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
      if (t.id !== jobId && !t.id.startsWith(`${jobId}_`) && !jobId.startsWith(`${t.id}_`)) {
        continue;
      }
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
        (s as Stream).buffer?.close();
        this.#streams.delete(key);
      }
    }
  }

  /** Stop everything. */
  close(): void {
    this.#sshPool?.close();
    for (const t of this.#trackers.values()) {
      t.stop.abort();
      for (const s of t.streams.values()) {
        if (!s.ended) {
          s.ended = true;
          s.abort.abort();
        }
      }
    }
    for (const s of this.#streams.values()) (s as Stream).buffer?.close();
    this.#hub.close();
  }

  /**
   * Events of one job's streams as an async iterable (the guide's GetStream). Bounded: when the
   * consumer is slow, reading slows down.
   */
  getStream(
    jobId: string,
    options: { signal?: AbortSignal; capacity?: number } = {},
  ): AsyncIterable<StreamEvent> {
    const capacity = options.capacity ?? 10_000;
    const queue: StreamEvent[] = [];
    let wakeConsumer: (() => void) | undefined;
    let wakeProducer: (() => void) | undefined;
    let finished = false;
    const matches = (s: StreamHandle) => s.jobId === jobId || s.jobId.startsWith(`${jobId}_`);
    const push = async (ev: StreamEvent) => {
      while (queue.length >= capacity && !finished) {
        await new Promise<void>((r) => (wakeProducer = r));
      }
      queue.push(ev);
      wakeConsumer?.();
    };
    // What the scroll-back already holds comes first (same tick as subscribing, so nothing is
    // missed or doubled), then live lines.
    for (const s of this.streams.filter(matches)) {
      const view = s.buffer?.all;
      if (!view || view.length === 0) continue;
      for (const l of view.slice(0, view.length)) {
        if (!this.#filter.test(l.content)) continue;
        const ev: StreamEvent = {
          job_id: s.jobId,
          type: s.type,
          content: l.content,
          timestamp: new Date(l.time).toISOString(),
          line_num: l.num,
          source: s.sourceKind,
        };
        if (l.truncated) ev.truncated = true;
        const h = this.#filter.highlights.length ? this.#filter.highlightsOf(l.content) : undefined;
        if (h) ev.highlights = h;
        queue.push(ev);
      }
    }
    const unsubscribe = this.subscribe({
      onLines: async (s, batch, sel) => {
        if (!matches(s)) return;
        for (const ev of eventsOf(s, batch, sel, this.#filter)) await push(ev);
      },
    });
    // Finished once this job's trackers are done (every line delivered by then), even when the
    // streams ended before this call; other jobs' streams do not hold it open.
    const mine = [...this.#trackers.values()].filter((t) =>
      t.id === jobId || t.id.startsWith(`${jobId}_`) || jobId.startsWith(`${t.id}_`)
    );
    void Promise.all(mine.map((t) => t.done)).then(() => {
      finished = true;
      wakeConsumer?.();
    });
    const signal = options.signal;
    return {
      async *[Symbol.asyncIterator]() {
        const onAbort = () => {
          finished = true;
          wakeConsumer?.();
        };
        signal?.addEventListener("abort", onAbort);
        try {
          while (true) {
            if (queue.length > 0) {
              const ev = queue.shift()!;
              wakeProducer?.();
              yield ev;
              continue;
            }
            if (finished || signal?.aborted) return;
            await new Promise<void>((r) => (wakeConsumer = r));
          }
        } finally {
          unsubscribe();
          signal?.removeEventListener("abort", onAbort);
        }
      },
    };
  }
}

/** Turn a batch (and its selection) into StreamEvents. */
export function eventsOf(
  s: StreamHandle,
  batch: LineBatch,
  sel: Selection,
  filter?: LineFilter,
): StreamEvent[] {
  const timestamp = new Date(batch.time).toISOString();
  const out: StreamEvent[] = [];
  const type = s.type;
  const lines = sel.all ? batchLines(batch) : sel.lines;
  for (let i = 0; i < lines.length; i++) {
    const num = sel.all ? batch.firstLine + i : sel.nums[i];
    const ev: StreamEvent = {
      job_id: s.jobId,
      type,
      content: lines[i],
      timestamp,
      line_num: num,
      source: s.sourceKind,
    };
    if (batch.truncated?.includes(num - batch.firstLine)) ev.truncated = true;
    if (filter && filter.highlights.length) {
      const h = filter.highlightsOf(lines[i]);
      if (h) ev.highlights = h;
    }
    out.push(ev);
  }
  return out;
}

/** An array record Slurm has not split into tasks yet ("123_[2-5%1]"). */
function isUnsplitArray(job: JobInfo): boolean {
  return job.arrayTaskString !== undefined && job.arrayTaskId === undefined;
}

function isRunning(state: string): boolean {
  const s = baseState(state);
  return s === "RUNNING" || s === "COMPLETING" || s === "CONFIGURING" || s === "STAGE_OUT";
}

/**
 * After a requeue: did the job run again (so its file was rewritten)? A job cancelled while
 * waiting to rerun did not; its file still holds the old run, already read.
 */
function ranAgain(job: JobInfo, lastStart: number | undefined): boolean {
  if (isRunning(job.state)) return true;
  if (!isTerminal(job.state) || baseState(job.state) === "CANCELLED") return false;
  return job.startTime !== lastStart;
}

/** A finished job's exit code for `--exit-code`: its own, else 128+signal, else 1 unless COMPLETED. */
export function jobExitCode(job: JobInfo): number {
  if (job.exitCode) return job.exitCode;
  if (job.exitSignal) return 128 + job.exitSignal;
  const state = baseState(job.state);
  return state === "COMPLETED" || !isTerminal(state) ? 0 : 1;
}

async function pathExists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (err) {
    return err instanceof Deno.errors.PermissionDenied;
  }
}

/** Directories that are usually private to each compute node. */
function isNodeLocal(path: string): boolean {
  const tmp = Deno.env.get("TMPDIR");
  return /^\/(tmp|var\/tmp|dev\/shm|local|scratch\/local|localscratch|lscratch)(\/|$)/.test(path) ||
    (!!tmp && path.startsWith(tmp.replace(/\/?$/, "/")));
}

/** One "tried" line per candidate path: stdout and stderr often share the default file. */
function triedLines(res: Resolution[]): string[] {
  const lines = res.flatMap((r) =>
    r.candidates.map((c) => `tried ${c.path} (${c.from}): not found`)
  );
  return [...new Set(lines)];
}
