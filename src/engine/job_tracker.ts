/**
 * The lifecycle of one target (a job, an array, one array task; a plain file; a job step), as
 * stern splits watching targets from tailing one: for a job, the tracker polls the cluster and
 * decides which streams exist and when they end — pending and held jobs, requeues (the file is
 * read again, line numbers go on), array records not yet split into tasks (placeholders),
 * terminal states, a cluster that stops answering for a while. Following one file (or a step's
 * I/O) is the host's business (`runSource`).
 * @module
 */
import { statePollMs } from "../config/poll_interval.ts";
import type { Config } from "../config/schema.ts";
import type { UserFacingError } from "../errors.ts";
import { type ClusterBackend, isPending, isTerminal, type JobInfo } from "../cluster/job.ts";
import { type Resolution, resolveOutput } from "../cluster/path_resolver.ts";
import type { DebugLog } from "../core/debug_log.ts";
import { plural } from "../core/plural.ts";
import { streamKey, type StreamState, type StreamType } from "../core/stream_event.ts";
import { type StreamTarget, targetId } from "../core/stream_target.ts";
import type { FollowOptions, SourceRequest, Stream, StreamPart } from "./stream.ts";
import { hasAllocationFields, runParts, stepTaskCount } from "./job_parts.ts";
import { isRunning, isUnsplitArray, jobExitCode, ranAgain } from "./job_states.ts";
import { JobWatch } from "./job_watch.ts";

/** What a {@link JobTracker} needs from the engine that owns the streams. */
export interface TrackerHost {
  readonly config: Config;
  readonly cluster?: ClusterBackend;
  readonly debug: DebugLog;
  /** Register a new stream (listeners hear of it); `part`: one task's or node's stream. */
  newStream(jobId: string, type: StreamType, part?: StreamPart): Stream;
  /** Forget a stream entirely (a placeholder whose tasks took over). */
  forgetStream(s: Stream): void;
  /** Set a stream's state and tell listeners. */
  status(s: Stream, state: StreamState, message?: string): void;
  /** End a stream (once); `quiet` skips the status event. */
  endStream(s: Stream, state: StreamState, message?: string, quiet?: boolean): void;
  /** Record a failure that stopped a stream (the command exits 1 with its reason). */
  fail(what: string, err: unknown): UserFacingError;
  /** Read one target into a stream until its source ends (the tracker ends the stream). */
  runSource(s: Stream, req: SourceRequest): Promise<void>;
}

/** Follows one target until everything it covers has ended. */
export class JobTracker {
  /** The tracker's streams, by key. */
  readonly streams = new Map<string, Stream>();
  /** Aborted to stop polling (the job ended, or the user stopped it). */
  readonly stop = new AbortController();
  /** Resolves when every stream has ended and its lines are delivered. */
  done: Promise<void> = Promise.resolve();
  /** The highest exit code of the jobs followed, once they ended. */
  exitCode?: number;
  /** The job's records as last seen, once they ended (what `s9s submit` says of them). */
  endedJobs?: JobInfo[];
  /** The id its streams carry ({@link targetId}). */
  readonly id: string;
  #host: TrackerHost;
  #watch: JobWatch;

  constructor(
    readonly target: StreamTarget,
    readonly types: StreamType[],
    readonly options: FollowOptions,
    host: TrackerHost,
  ) {
    this.id = targetId(target);
    this.#host = host;
    this.#watch = new JobWatch(this.id, {
      cluster: host.cluster,
      pollMs: statePollMs(host.config, host.cluster?.name),
      idleWarningMs: host.config.streaming.idle_warning,
      signal: this.stop.signal,
      debug: host.debug,
      herald: () => {
        const open = [...this.streams.values()].filter((s) => !s.ended);
        return open.find((s) => !s.placeholder) ?? open[0];
      },
      status: (s, state, message) => host.status(s, state, message),
    });
  }

  /** Whether this tracker covers `jobId` (the job itself, one of its tasks, or its array). */
  covers(jobId: string): boolean {
    return this.id === jobId || this.id.startsWith(`${jobId}_`) || jobId.startsWith(`${this.id}_`);
  }

  /**
   * Start following what the first look found: the job's records, or the files of a job the
   * cluster does not know (`unknownWhy` says why it cannot tell, when that is the case).
   */
  start(look: { jobs: JobInfo[]; files?: Resolution[]; unknownWhy?: string }): void {
    const run = this.target.kind === "step"
      ? this.#followStep()
      : look.files
      ? this.#followFiles(look.files, look.unknownWhy)
      : this.#followJobs(look.jobs);
    this.done = run.catch((err) => {
      this.#host.debug.log("STREAM", `tracker ${this.id} failed: ${(err as Error).stack ?? err}`);
      // Stopped on purpose: no failure to report. Anything else is one (exit 1, its reason).
      const message = this.stop.signal.aborted
        ? (err as Error).message
        : this.#host.fail(`job ${this.id}`, err).message;
      for (const s of this.streams.values()) this.#host.endStream(s, "error", message);
    });
  }

  /** A step: Slurm forwards its I/O (no files, no job to poll); its streams end with it. */
  async #followStep(): Promise<void> {
    const follow = this.options.follow !== false;
    await Promise.all(this.types.map(async (type) => {
      const s = this.#newStream(this.id, type);
      await this.#host.runSource(s, { target: this.target, follow, tail: this.options.tail });
      this.#host.endStream(s, "ended", `stream ${s.key} ended after ${plural(s.lines, "line")}`);
    }));
  }

  /**
   * A plain file, or a job the cluster does not know (never did, or forgot it: MinJobAge).
   * Follow the file; a forgotten job is finished, so read what is there and end — unless a path
   * was given.
   */
  async #followFiles(resolved: Resolution[], unknownWhy?: string): Promise<void> {
    const { target } = this;
    const cluster = this.#host.cluster;
    const job = target.kind === "job";
    const follow = this.options.follow !== false &&
      (!cluster || !job || target.path !== undefined);
    const seen = new Set<string>();
    await Promise.all(this.types.map(async (type, i) => {
      const loc = resolved[i].location;
      if (!loc || seen.has(loc.path)) return;
      seen.add(loc.path);
      const s = this.#newStream(this.id, type);
      if (cluster && job) {
        this.#host.status(
          s,
          s.state,
          `${
            unknownWhy ?? `job ${this.id} is not known to Slurm (finished and purged?)`
          }; reading ${loc.path}`,
        );
      }
      await this.#host.runSource(s, { target, loc, follow, tail: this.options.tail });
      this.#host.endStream(s, "ended", `stream ${s.key} ended after ${plural(s.lines, "line")}`);
    }));
  }

  /** Follow a job (or its array tasks) until it ends. */
  async #followJobs(initial: JobInfo[]): Promise<void> {
    const wantsTask = this.id.includes("_");
    const running = new Map<string, Promise<void>>();
    let jobs = initial;
    while (true) {
      const unsplit = new Set<string>();
      for (const job of jobs) {
        if (wantsTask && job.id !== this.id) continue;
        if (isUnsplitArray(job)) {
          // An array record not (yet) split into tasks ("123_[2-5%1]"): a placeholder stream
          // shows its state; tasks get their own streams as they start.
          unsplit.add(job.id);
          this.#noteStreams(job, [this.#placeholder(job)]);
          continue;
        }
        if (!running.has(job.id)) {
          running.set(
            job.id,
            this.#superviseJob(job).then(() => {
              // A single job whose streams all ended early (unreadable file, --no-follow):
              // nothing more will come, so stop polling instead of waiting for the job to end.
              if (!wantsTask && job.arrayJobId !== undefined) return;
              if ([...this.streams.values()].every((s) => s.ended)) this.stop.abort();
            }),
          );
        } else {
          this.#updateJob(job);
        }
      }
      this.#dropPlaceholders(unsplit);
      const allFinal = jobs.length > 0 && jobs.every((j) => isTerminal(j.state));
      if (allFinal || this.stop.signal.aborted) break;
      const next = await this.#watch.next(jobs);
      if (next === undefined) break;
      jobs = next;
    }
    for (const j of jobs) {
      if (wantsTask && j.id !== this.id) continue;
      if (isUnsplitArray(j)) this.#noteStreams(j, [this.#placeholder(j)]);
      else this.#updateJob(j);
    }
    this.#dropPlaceholders(new Set());
    await Promise.all(running.values());
    const mine = jobs.filter((j) => !wantsTask || j.id === this.id);
    this.exitCode = mine.length ? Math.max(...mine.map(jobExitCode)) : 0;
    if (mine.length && mine.every((j) => isTerminal(j.state))) this.endedJobs = mine;
  }

  #newStream(jobId: string, type: StreamType, part?: StreamPart): Stream {
    const s = this.#host.newStream(jobId, type, part);
    s.splitTasks = !!this.options.splitTasks && !part;
    this.streams.set(s.key, s);
    return s;
  }

  #placeholder(job: JobInfo): Stream {
    const s = this.streams.get(streamKey(job.id, this.types[0]));
    if (s) return s;
    const created = this.#newStream(job.id, this.types[0]);
    created.placeholder = true;
    return created;
  }

  /** End the placeholders of array records that are gone (split into tasks) or finished. */
  #dropPlaceholders(keep: Set<string>): void {
    for (const [key, s] of this.streams) {
      if (!s.placeholder || s.ended) continue;
      const final = s.jobState !== undefined && isTerminal(s.jobState);
      if (keep.has(s.jobId) && !final) continue;
      this.#host.endStream(s, "ended", undefined, true);
      if (!final) {
        // Its tasks took over: forget the placeholder.
        this.streams.delete(key);
        this.#host.forgetStream(s);
      }
    }
  }

  /** Latest job info from a poll: state changes, requeues, and finishing its sources. */
  #updateJob(job: JobInfo): void {
    const streams = [...this.streams.values()].filter((s) => s.jobId === job.id && !s.placeholder);
    this.#noteStreams(job, streams);
    for (const s of streams) {
      if (isTerminal(job.state)) s.source?.finish();
      // Requeued and waiting to run again: the old run's output is complete; read it to the end.
      // The next run truncates and rewrites the file, and is read from its start then.
      else if (s.requeuedTo > s.runRestarts) {
        // Requeued and restarted between two polls: the live source sees the truncation itself.
        // It may have seen it already, while this record (taken before the next run started) was
        // on its way: a rewrite since the record before is the next run's, being read (finished
        // now, and the next run read again from its start, its first lines came twice).
        const rewritten = s.rewrittenAt !== undefined && s.notedBefore !== undefined &&
          s.rewrittenAt > s.notedBefore;
        if (isRunning(job.state) || rewritten) s.runRestarts = s.requeuedTo;
        else s.source?.finish("requeued");
      }
    }
  }

  /** Record new job info on a job's streams; job-level news is announced once, on one stream. */
  #noteStreams(job: JobInfo, streams: Stream[]): void {
    const herald = streams.find((s) => !s.ended) ?? streams[0];
    for (const s of streams) {
      for (const [state, message] of this.#watch.note(s, job, s === herald)) {
        this.#host.status(s, state, message);
      }
    }
  }

  /**
   * Wait for one job (or task) to start, then follow its streams until it ends. A requeued job
   * is followed through its next run: the file is read again from its start (Slurm truncates it)
   * and line numbers continue from the previous run's.
   */
  async #superviseJob(job: JobInfo): Promise<void> {
    const streams = this.types.map((t) =>
      this.streams.get(streamKey(job.id, t)) ?? this.#newStream(job.id, t)
    );
    const signal = this.stop.signal;
    const latest = () => streams[0].job ?? job;
    this.#noteStreams(job, streams);
    let runs = 0;
    let lastStart: number | undefined;
    while (!signal.aborted) {
      // Pending (or requeued): the tracker's poll updates s.job until it runs or ends, and the
      // news wakes this wait at once.
      while (isPending(latest().state) && !signal.aborted) {
        await this.#watch.untilNews();
      }
      if (signal.aborted) break;
      const current = latest();
      if (runs > 0 && !ranAgain(current, lastStart)) break;
      for (const s of streams) s.runRestarts = Math.max(current.restarts ?? 0, s.requeuedTo);
      if (runs > 0) {
        const herald = streams.find((s) => s.source) ?? streams[0];
        this.#host.status(
          herald,
          "live",
          `job ${job.id} runs again after a requeue: its output file is rewritten; reading it again from the start (line numbers continue after ${herald.lastLineNum})`,
        );
      }
      lastStart = current.startTime;
      runs++;
      await this.#runStreams(job.id, current, streams);
      const requeued = streams.some((s) => s.requeuedTo > s.runRestarts);
      if (!requeued || streams.every((s) => s.ended) || this.options.follow === false) break;
    }
    for (const s of streams) {
      this.#host.endStream(s, "ended", `stream ${s.key} ended after ${plural(s.lines, "line")}`);
    }
  }

  /** Resolve and read the files of one run of a job; stdout and stderr in one file are read once. */
  async #runStreams(jobId: string, current: JobInfo, streams: Stream[]): Promise<void> {
    const live = streams.filter((s) => !s.ended);
    const target = this.target;
    const override = target.kind === "job" ? target : undefined;
    if (
      override && (hasAllocationFields(override.path) || hasAllocationFields(override.stderrPath))
    ) {
      // Per-task or per-node files (`%t`, `%n`, `%N`): one stream per file.
      const host = this.#host;
      const follow = this.options.follow !== false && !isTerminal(current.state);
      // What the tracker knows of the job now, as its other streams carry it.
      const latest = () => live[0]?.job ?? current;
      return await runParts(
        {
          config: host.config.streaming,
          stream: (id, type, part) => {
            const known = this.streams.get(streamKey(`${id} ${part.label}`, type));
            if (known) return known;
            // A stream started once the job has ended is read to the end, not followed.
            const s = this.#newStream(id, type, part);
            const job = latest();
            Object.assign(s, { job, jobState: job.state });
            return s;
          },
          runSource: (s, loc, f) =>
            host.runSource(s, { target, loc, follow: f, tail: this.options.tail }),
          endStream: (s, state, message, quiet) => host.endStream(s, state, message, quiet),
          stepTasks: host.cluster ? () => stepTaskCount(host.cluster!, jobId) : undefined,
          pause: () => this.#watch.pause(statePollMs(host.config, host.cluster?.name)),
          running: () => !this.stop.signal.aborted && isRunning(latest().state),
          stopped: () => this.stop.signal.aborted,
          forget: (s) => {
            this.streams.delete(s.key);
            host.forgetStream(s);
          },
        },
        current,
        live,
        { target: override, follow },
      );
    }
    const resolved = await Promise.all(
      live.map((s) =>
        resolveOutput(jobId, current, s.type, this.#host.config.streaming, {
          pathOverride: override?.path,
          stderrPathOverride: override?.stderrPath,
        })
      ),
    );
    const seen = new Map<string, Stream>();
    const runs: Promise<void>[] = [];
    // live is in type order (stdout first), so a shared file is shown as the stdout stream.
    live.forEach((s, i) => {
      const loc = resolved[i].location;
      if (!loc) {
        this.#host.endStream(s, "error", `no output file found for job ${jobId} ${s.type}`);
        return;
      }
      const twin = seen.get(loc.path);
      if (twin) {
        this.#host.endStream(
          s,
          "ended",
          `${s.type} goes to the same file as ${twin.type} (${loc.path}); shown there`,
        );
        return;
      }
      seen.set(loc.path, s);
      const follow = this.options.follow !== false && !isTerminal(current.state);
      runs.push(this.#host.runSource(s, { target, loc, follow, tail: this.options.tail }));
    });
    await Promise.all(runs);
  }
}
