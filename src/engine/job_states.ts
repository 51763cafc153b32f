/**
 * Questions the job tracker asks of a job's Slurm record: is it running, did it run again after
 * a requeue, is it an array not split into tasks yet, what exit code does it stand for.
 * @module
 */
import { baseState, isTerminal, type JobInfo } from "../cluster/job.ts";

/** An array record Slurm has not split into tasks yet ("123_[2-5%1]"). */
export function isUnsplitArray(job: JobInfo): boolean {
  return job.arrayTaskString !== undefined && job.arrayTaskId === undefined;
}

/** Running in any phase: its output may still grow. */
export function isRunning(state: string): boolean {
  const s = baseState(state);
  return s === "RUNNING" || s === "COMPLETING" || s === "CONFIGURING" || s === "STAGE_OUT";
}

/**
 * After a requeue: did the job run again (so its file was rewritten)? A job cancelled while
 * waiting to rerun did not; its file still holds the old run, already read.
 */
export function ranAgain(job: JobInfo, lastStart: number | undefined): boolean {
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
