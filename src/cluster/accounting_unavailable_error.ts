/**
 * The answer for a job slurmctld no longer knows when Slurm's accounting could not be asked:
 * distinct from "not found", which only a working accounting (or none configured) can say.
 * @module
 */
import { UserFacingError } from "../errors.ts";

/** slurmctld forgot the job and `sacct` failed, so whether it existed is unknown. Exit 1. */
export class AccountingUnavailableError extends UserFacingError {
  /** The job asked about. */
  readonly jobId: string;
  /** Why accounting did not answer, as the command said it. */
  readonly reason: string;

  constructor(jobId: string, reason: string, options: { cause?: unknown } = {}) {
    super(
      `job "${jobId}" is not known to slurmctld and accounting is unavailable: ${reason}`,
      {
        hint: "slurmdbd may be down (check with `sacctmgr ping`); " +
          "to read the output file anyway, pass --path FILE",
        cause: options.cause,
      },
    );
    this.name = "AccountingUnavailableError";
    this.jobId = jobId;
    this.reason = reason;
  }
}

/**
 * The most telling line of a failed `sacct`: its last `error:` line ("Problem talking to the
 * database: Connection refused" comes after the connection details), else the first line.
 */
export function accountingReason(stderr: string, stdout = "", code?: number): string {
  const lines = (stderr + "\n" + stdout).split("\n").map((l) => l.trim()).filter((l) => l);
  const errors = lines.filter((l) => /\berror:/i.test(l));
  const line = errors.at(-1) ?? lines[0];
  if (!line) return code === undefined ? "no answer" : `exit code ${code}`;
  return line.replace(/^sacct:\s*error:\s*/i, "").replace(/^sacct:\s*/i, "");
}
