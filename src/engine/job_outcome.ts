/**
 * How a finished job (or array) went, in one line, for `s9s submit`: nothing when every record
 * completed with exit code 0, else which ones did not and why (its exit code, the signal, a time
 * limit, a node failure, memory).
 * @module
 */
import { baseState, type JobInfo } from "../cluster/job.ts";
import { jobExitCode } from "./job_states.ts";

/** What a state means, said plainly. */
const WHY: Record<string, string> = {
  CANCELLED: "cancelled",
  TIMEOUT: "time limit reached",
  OUT_OF_MEMORY: "out of memory",
  NODE_FAIL: "a node failed",
  PREEMPTED: "preempted",
  BOOT_FAIL: "a node failed to boot",
  DEADLINE: "deadline reached",
};

/** One record's outcome: `FAILED, exit code 3`, `CANCELLED (cancelled, signal 15)`. */
function outcomeOf(job: JobInfo): string {
  const state = baseState(job.state);
  const parts: string[] = [];
  if (WHY[state]) parts.push(WHY[state]);
  if (job.exitSignal) parts.push(`signal ${job.exitSignal}`);
  const why = parts.length ? ` (${parts.join(", ")})` : "";
  return `${state}${why}${job.exitCode ? `, exit code ${job.exitCode}` : ""}`;
}

/** Whether a finished record counts as a success. */
function succeeded(job: JobInfo): boolean {
  return baseState(job.state) === "COMPLETED" && jobExitCode(job) === 0;
}

/** At most this many failed tasks are named in the line. */
const NAMED = 5;

/**
 * The line to print when job `jobId` (its records `jobs`, every task of an array) did not
 * succeed; undefined when it did.
 */
export function jobOutcome(jobId: string, jobs: JobInfo[]): string | undefined {
  const failed = jobs.filter((j) => !succeeded(j));
  if (failed.length === 0) return undefined;
  if (jobs.length === 1 && jobs[0].id === jobId) return `job ${jobId} ended ${outcomeOf(jobs[0])}`;
  const named = failed.slice(0, NAMED).map((j) => `${j.id} ${outcomeOf(j)}`);
  const more = failed.length > NAMED ? `, and ${failed.length - NAMED} more` : "";
  return `job ${jobId}: ${failed.length} of ${jobs.length} tasks did not succeed: ${
    named.join("; ")
  }${more}`;
}
