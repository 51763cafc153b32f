/**
 * How the engine tells a Slurm command stopped with s9s from a failing cluster — apart from
 * running commands (./slurm_command.ts), so that the job watch does not load the runner.
 * @module
 */
import { UserFacingError } from "../errors.ts";

/**
 * A Slurm command ended by SIGTERM, SIGINT or SIGHUP, not by its own failure: most often s9s is
 * being stopped too (`timeout` and Ctrl+C signal the whole process group, and the command can
 * die before s9s hears of it). Not a statement about the cluster: a poll asks again.
 */
export class SlurmCommandStopped extends UserFacingError {
  constructor(message: string) {
    super(message, { hint: "s9s or the command was being stopped; run it again" });
    this.name = "SlurmCommandStopped";
  }
}

/** Whether `err`, or an error it wraps, is a {@link SlurmCommandStopped}. */
export function stoppedBySignal(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; e = (e as Error).cause, depth++) {
    if (e instanceof SlurmCommandStopped) return true;
  }
  return false;
}
