/**
 * The jobs view's state: the job list (fetched from the cluster every poll interval, newest
 * first), the selection (kept by job id across refreshes) and the `/` search. Tells a listener
 * when the list changed or a fetch failed; no neo-blessed.
 * @module
 */
import { byNumericParts } from "../../core/code_unit_order.ts";
import { baseState, isSrunStep, type JobInfo, type StepInfo } from "../../cluster/job.ts";
import { expandHostlist } from "../../cluster/hostlist.ts";

/** Where jobs come from (a ClusterBackend fits). */
export interface JobLister {
  readonly name: string;
  listJobs(): Promise<JobInfo[]>;
  /** Running steps of all jobs (`squeue -s`); without it no steps are offered. */
  listSteps?(): Promise<StepInfo[]>;
}

/** Told about the job list, as k9s's model listeners are. */
export interface JobsListener {
  jobsChanged(): void;
  jobsFailed(err: unknown): void;
}

/** Newest job first; array tasks in numeric order. */
export function sortJobs(jobs: JobInfo[]): JobInfo[] {
  return jobs.sort((a, b) => b.jobId - a.jobId || byNumericParts(a.id, b.id));
}

/** State of the jobs view. */
export class JobsModel {
  /** Where the jobs come from (none: no cluster). */
  readonly lister?: JobLister;
  #listener?: JobsListener;
  #timer?: ReturnType<typeof setInterval>;
  #loading = false;
  #jobs: JobInfo[] = [];
  #shown: JobInfo[] = [];
  #selectedId?: string;
  search = "";
  /** When the list was last refreshed (epoch ms). */
  updatedAt?: number;

  constructor(lister?: JobLister) {
    this.lister = lister;
  }

  /** Fetch now and then every `intervalMs`, telling `listener` about each result. */
  start(listener: JobsListener, intervalMs: number): void {
    this.#listener = listener;
    this.stop();
    this.#timer = setInterval(() => void this.refresh(), intervalMs);
    void this.refresh();
  }

  /** Stop fetching. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Ask the cluster for the job list again (one fetch at a time). */
  async refresh(): Promise<void> {
    if (!this.lister || this.#loading) return;
    this.#loading = true;
    try {
      this.setJobs(sortJobs(await this.lister.listJobs()));
      this.#listener?.jobsChanged();
    } catch (err) {
      this.#listener?.jobsFailed(err);
    } finally {
      this.#loading = false;
    }
  }

  /** Replace the list (keeps the selection on the same job when it is still there). */
  setJobs(jobs: JobInfo[], now = Date.now()): void {
    this.#jobs = jobs;
    this.updatedAt = now;
    this.#apply();
  }

  /** Set the search text (matches id, name, user, state, nodes; case-insensitive). */
  setSearch(text: string): void {
    this.search = text;
    this.#apply();
  }

  #apply(): void {
    const q = this.search.toLowerCase();
    this.#shown = q
      ? this.#jobs.filter((j) =>
        [j.id, j.name, j.user, j.state, j.nodeList ?? "", j.partition ?? ""].some((v) =>
          v.toLowerCase().includes(q)
        ) || nodesOf(j).some((n) => n.toLowerCase().includes(q))
      )
      : this.#jobs;
    if (!this.#shown.some((j) => j.id === this.#selectedId)) this.#selectedId = this.#shown[0]?.id;
  }

  /** Jobs shown (search applied). */
  get shown(): readonly JobInfo[] {
    return this.#shown;
  }

  /**
   * The srun steps (sattach can attach to) of the shown jobs that are running, asked of the
   * cluster now: [] when none runs or the cluster cannot list steps.
   */
  async runningSteps(): Promise<StepInfo[]> {
    const running = new Set(
      this.#shown.filter((j) => baseState(j.state) === "RUNNING").map((j) => j.id),
    );
    if (running.size === 0 || !this.lister?.listSteps) return [];
    const steps = await this.lister.listSteps();
    return steps.filter((s) => isSrunStep(s) && running.has(s.jobId));
  }

  /** Index of the selected job within {@link shown}, -1 if none. */
  get index(): number {
    return this.#shown.findIndex((j) => j.id === this.#selectedId);
  }

  /** The selected job. */
  get selected(): JobInfo | undefined {
    return this.#shown[this.index];
  }

  /** Move the selection by `delta` rows (clamped). */
  move(delta: number): void {
    if (!this.#shown.length) return;
    const i = Math.min(this.#shown.length - 1, Math.max(0, this.index + delta));
    this.#selectedId = this.#shown[i].id;
  }

  /** Select the first (`"home"`) or last (`"end"`) job. */
  jump(where: "home" | "end"): void {
    if (!this.#shown.length) return;
    this.#selectedId = this.#shown[where === "home" ? 0 : this.#shown.length - 1].id;
  }
}

/** Every node of a job ("node03" finds a job on "node[01-04]"); none for a list Slurm garbled. */
function nodesOf(job: JobInfo): string[] {
  try {
    return expandHostlist(job.nodeList);
  } catch {
    return [];
  }
}
