/**
 * Which job steps the api source (sources/sattach.ts) can read: a module of its own, so that
 * checking `--job 123.0` neither loads that source nor adds to what every command loads.
 * @module
 */
import { UsageError } from "../errors.ts";
import { parseStepId } from "./stream_target.ts";

/** Refuse step ids sattach cannot attach to, with what to do instead. */
export function checkStepId(step: string): void {
  const m = parseStepId(step);
  if (!m) {
    throw new UsageError(`"${step}" is not a job step id`, {
      hint: "the api source reads a step started with srun: --job 123.0",
    });
  }
  if (!/^\d+$/.test(m.step)) {
    throw new UsageError(`sattach cannot attach to the ${m.step} step of job ${m.jobId}`, {
      hint:
        `Slurm forwards I/O only for steps started with srun (${m.jobId}.0, …); follow the batch script's output with --job ${m.jobId}`,
    });
  }
}
