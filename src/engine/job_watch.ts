/**
 * Watching one job id in the cluster for its tracker: one poll per interval for the whole id (all
 * tasks of an array at once), a purged job taken as finished, an outage of the cluster announced
 * once ("cluster unreachable, retrying") and its end too ("cluster reachable again") while the
 * files go on being followed, and what a new job record means for a stream (state changes,
 * requeues, the idle hint).
 * @module
 */
import { type ClusterBackend, isPending, isTerminal, type JobInfo } from "../cluster/job.ts";
import type { DebugLog } from "../core/debug_log.ts";
import type { StreamState } from "../core/stream_event.ts";
import type { Stream } from "./stream.ts";
import { isRunning } from "./job_states.ts";
import { stoppedBySignal } from "../cluster/slurm_command_stopped.ts";
import { sleep } from "../platform/sleep.ts";

/** Options for a {@link JobWatch}. */
export interface JobWatchOptions {
  cluster?: ClusterBackend;
  /** Milliseconds between polls. */
  pollMs: number;
  /** Silence (ms) after which a running job's stream gets the buffering hint. */
  idleWarningMs: number;
  /** Stops polling and waiting. */
  signal: AbortSignal;
  debug: DebugLog;
  /** The stream that announces news about the whole job, if one is still open. */
  herald: () => Stream | undefined;
  /** Report a status on a stream. */
  status: (s: Stream, state: StreamState, message: string) => void;
}

/** A status to report: the stream's new state and the message. */
export type Note = [StreamState, string];

/** The first wait of a pending job's watch, doubled at each poll up to the interval. */
const EARLY_FIRST_MS = 250;
/**
 * Early polls (those sooner than the interval), shared by every watch of the process: a burst
 * of at most 8, then 4 a second — fifty jobs followed at once must not make fifty times the
 * early `scontrol` calls.
 */
const earlyPolls = { tokens: 8, at: 0 };

function takeEarlyPoll(): boolean {
  const now = Date.now();
  earlyPolls.tokens = Math.min(8, earlyPolls.tokens + (now - earlyPolls.at) * 4 / 1000);
  earlyPolls.at = now;
  if (earlyPolls.tokens < 1) return false;
  earlyPolls.tokens--;
  return true;
}

/** Polls the cluster for one job id and says what its records mean. */
export class JobWatch {
  #id: string;
  #o: JobWatchOptions;
  #misses = 0;
  /** The herald and its state before an outage was announced on it. */
  #outage?: { stream?: Stream; before?: StreamState };
  /** Polls made (a pending job's first ones come sooner, see {@link next}). */
  #polls = 0;
  /** Waits of {@link untilNews} to cut short when a record's state changes. */
  #wakers = new Set<() => void>();

  constructor(id: string, options: JobWatchOptions) {
    this.#id = id;
    this.#o = options;
  }

  /** Whether the cluster failed the last poll. */
  get unreachable(): boolean {
    return this.#outage !== undefined;
  }

  /** Wait `ms`, or less when stopped. */
  pause(ms: number): Promise<void> {
    return sleep(ms, this.#o.signal);
  }

  /**
   * Wait up to one poll interval for news: a record with a new state, which {@link note} records
   * (a pending job that starts), or less when stopped.
   */
  untilNews(): Promise<void> {
    const cut = new AbortController();
    const wake = () => cut.abort();
    this.#wakers.add(wake);
    return sleep(this.#o.pollMs, AbortSignal.any([this.#o.signal, cut.signal]))
      .finally(() => this.#wakers.delete(wake));
  }

  /**
   * Wait one interval, then ask the cluster again. Returns the new records (or `jobs` again when
   * the poll told nothing new), or undefined when polling is over: stopped, or the job was purged
   * (then `jobs` are marked finished).
   *
   * While a job is pending, the first polls come sooner (250 ms, 500 ms, 1 s, … up to the
   * interval): a job submitted just before s9s started mostly starts within a second or two, and
   * its first lines should not wait for a whole interval (2 s by default) to pass.
   */
  async next(jobs: JobInfo[]): Promise<JobInfo[] | undefined> {
    const early = EARLY_FIRST_MS * 2 ** this.#polls++;
    const soon = early < this.#o.pollMs && jobs.some((j) => isPending(j.state)) &&
      takeEarlyPoll();
    await this.pause(soon ? early : this.#o.pollMs);
    if (this.#o.signal.aborted || !this.#o.cluster) return undefined;
    let next: JobInfo[];
    try {
      next = await this.#o.cluster.getJob(this.#id);
    } catch (err) {
      this.#failed(err as Error);
      return jobs;
    }
    this.#reached();
    if (next.length > 0) {
      this.#misses = 0;
      return next;
    }
    // Purged by slurmctld: whatever we follow has ended.
    if (++this.#misses < 2) return jobs;
    for (const j of jobs) j.state = isTerminal(j.state) ? j.state : "COMPLETED";
    return undefined;
  }

  /** Record a job's latest record on a stream; returns what to report (when `announce`). */
  note(s: Stream, job: JobInfo, announce: boolean): Note[] {
    const notes: Note[] = [];
    const prevState = s.jobState;
    const prevRestarts = s.job?.restarts ?? 0;
    const seenBefore = s.job !== undefined;
    s.notedBefore = s.notedAt;
    s.notedAt = Date.now();
    s.job = job;
    s.jobState = job.state;
    if (prevState !== job.state) { for (const wake of this.#wakers) wake(); }
    const reason = job.reason && job.reason !== "None" ? ` (${job.reason})` : "";
    if ((job.restarts ?? 0) > prevRestarts && seenBefore) {
      s.requeuedTo = job.restarts ?? 0;
      if (announce) {
        notes.push([
          s.ended ? "ended" : s.state,
          `job ${job.id} was requeued (restart ${job.restarts}); its output file will be rewritten when it runs again`,
        ]);
      }
    }
    if (prevState !== job.state && announce) {
      const waiting = isPending(job.state) ? "; waiting for it to start" : "";
      notes.push([
        s.ended ? "ended" : isPending(job.state) ? "pending" : s.state,
        `job ${job.id} is ${job.state}${reason}${waiting}`,
      ]);
    }
    const quietFor = Date.now() - (s.lastLineAt ?? s.liveSince ?? Date.now());
    if (
      !s.ended && !s.idleWarned && s.liveSince !== undefined && isRunning(job.state) &&
      quietFor >= this.#o.idleWarningMs
    ) {
      s.idleWarned = true;
      notes.push([
        "idle",
        `job ${job.id} is running but has written nothing to ${s.type} for ${
          Math.round(quietFor / 1000)
        }s; its output may be buffered: use \`python -u\` or PYTHONUNBUFFERED=1, \`srun --unbuffered\`, or \`stdbuf -oL\``,
      ]);
    }
    return notes;
  }

  /** A poll failed: announce the outage once; the files go on being followed meanwhile. */
  #failed(err: Error): void {
    this.#o.debug.log("CLUSTER", `poll of ${this.#id} failed: ${err.message}`);
    // Killed with s9s's own process group (s9s is stopping): no word on the cluster.
    if (this.#outage || stoppedBySignal(err)) return;
    const herald = this.#o.herald();
    this.#outage = { stream: herald, before: herald?.state };
    if (herald) {
      this.#o.status(herald, "retrying", `cluster unreachable, retrying: ${err.message}`);
    }
  }

  /** A poll answered: end an announced outage. */
  #reached(): void {
    const outage = this.#outage;
    if (!outage) return;
    this.#outage = undefined;
    this.#o.debug.log("CLUSTER", `poll of ${this.#id} answered again`);
    const s = outage.stream && !outage.stream.ended ? outage.stream : this.#o.herald();
    if (!s) return;
    // Lines that arrived meanwhile made it live again; otherwise go back to where it was.
    const state = s.state !== "retrying" ? s.state : outage.before ?? "live";
    this.#o.status(s, state, "cluster reachable again");
  }
}
