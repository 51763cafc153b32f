/**
 * A job step (`123.0`) as a stream: not a job to track (no files, no lifecycle), but Slurm's own
 * step I/O, read through sattach (the api source), which ends when the step ends. The CLI's
 * `--job 123.0` and the TUI's add-stream picker start step streams with these options.
 * @module
 */
import { STEP_ID } from "../sources/sattach.ts";
import type { StartOptions } from "./stream.ts";

/** Whether `id` names a job step ("123.0", "123_4.1", "123.batch"), not a job. */
export function isStepId(id: string): boolean {
  return STEP_ID.test(id);
}

/** The start options of step `stepId`'s stream: read through sattach, no job lookup. */
export function stepStreamOptions(stepId: string): StartOptions {
  return {
    fileOnly: true,
    path: `sattach:${stepId}:stdout`,
    stderrPath: `sattach:${stepId}:stderr`,
    source: "api",
  };
}
