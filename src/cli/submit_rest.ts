/**
 * `s9s submit` through slurmrestd (the REST backend).
 * @module
 */
import { UsageError } from "../errors.ts";
import type { SbatchResult } from "../cluster/sbatch.ts";
import type { SubmitArgs } from "./submit_options.ts";
import type { Context } from "./common.ts";

/** Submit through slurmrestd's job submit. */
export function restSubmit(_a: SubmitArgs, _ctx: Context): Promise<SbatchResult> {
  throw new UsageError("s9s submit cannot submit through slurmrestd yet", {
    hint: "submit with the Slurm commands: --cluster-api cli",
  });
}

/** Cancel through slurmrestd. */
export function restCancel(_id: string, _ctx: Context): Promise<string | undefined> {
  return Promise.resolve("cancelling through slurmrestd is not supported yet");
}
