/**
 * The jobs view's state: the job list, the selection (kept by job id across refreshes) and
 * the `/` search. No neo-blessed.
 * @module
 */
import type { JobInfo } from "../../cluster/job.ts";

/** State of the jobs view. */
export class JobsModel {
  #jobs: JobInfo[] = [];
  #shown: JobInfo[] = [];
  #selectedId?: string;
  search = "";
  /** When the list was last refreshed (epoch ms). */
  updatedAt?: number;

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
        )
      )
      : this.#jobs;
    if (!this.#shown.some((j) => j.id === this.#selectedId)) this.#selectedId = this.#shown[0]?.id;
  }

  /** Jobs shown (search applied). */
  get shown(): readonly JobInfo[] {
    return this.#shown;
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
