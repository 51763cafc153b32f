/**
 * Submitting a batch job with the `sbatch` command: the user's options and script passed through
 * untouched, `--parsable` added for the id, sbatch's own messages left on the terminal as sbatch
 * writes them. Run exactly once: a failed or interrupted sbatch is never retried, since it may
 * have submitted the job before failing.
 * @module
 */
import { UserFacingError } from "../errors.ts";
import { which } from "./backend.ts";

/** What one sbatch run gave. */
export type SbatchResult =
  /** Submitted: the job id (and the cluster name with `-M`). */
  | { kind: "submitted"; jobId: string; cluster?: string }
  /** sbatch succeeded without submitting (`--help`, `--test-only`, `--version`): its stdout. */
  | { kind: "other"; stdout: string }
  /** sbatch failed; `usage` when it rejected the command line (exit 255), else a refusal. */
  | { kind: "failed"; code: number; usage: boolean }
  /** sbatch was ended by a signal (Ctrl+C reached it too). */
  | { kind: "killed"; signal: string };

/** Options for {@link runSbatch}. */
export interface SbatchRunOptions {
  /** The sbatch binary (tests); `sbatch` on PATH by default. */
  command?: string;
  /** Extra environment (the namespace cluster's SLURM_CONF in tests). */
  env?: Record<string, string>;
}

/** sbatch's `--parsable` answer: `123` or `123;cluster`. */
const PARSABLE = /^(\d+)(?:;(\S+))?\s*$/;

/**
 * Run `sbatch --parsable ARGS…` once. stdin and stderr are the caller's (a script on stdin, and
 * sbatch's errors and warnings exactly as it writes them); stdout is read for the id.
 */
export async function runSbatch(
  args: string[],
  options: SbatchRunOptions = {},
): Promise<SbatchResult> {
  const cmd = options.command ?? "sbatch";
  if (!(await which(cmd))) {
    throw new UserFacingError(`"${cmd}" not found: s9s submit needs Slurm's sbatch`, {
      hint: "run on a login node with the Slurm commands on PATH, or submit through slurmrestd " +
        "with --cluster-api rest",
    });
  }
  // Through sh's exec, so that sbatch's argv[0] is "sbatch" as typed: getopt names it in its
  // messages ("sbatch: unrecognized option"), which are shown as they are.
  const out = await new Deno.Command("sh", {
    args: ["-c", 'exec "$0" "$@"', cmd, "--parsable", ...args],
    env: options.env,
    stdin: "inherit",
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (out.signal) return { kind: "killed", signal: out.signal };
  const stdout = new TextDecoder().decode(out.stdout);
  if (out.code !== 0) return { kind: "failed", code: out.code, usage: out.code === 255 };
  const m = PARSABLE.exec(stdout.trim());
  if (!m) return { kind: "other", stdout };
  return { kind: "submitted", jobId: m[1], cluster: m[2] };
}

/** Cancel a job with `scancel` (for `--cancel-on-interrupt`); the error text when it failed. */
export async function scancel(
  jobId: string,
  options: SbatchRunOptions = {},
): Promise<string | undefined> {
  try {
    const out = await new Deno.Command("scancel", {
      args: [jobId],
      env: options.env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (out.code === 0) return undefined;
    const text = new TextDecoder().decode(out.stderr).trim().split("\n")[0];
    return text || `scancel exited with ${out.code}`;
  } catch (err) {
    return (err as Error).message;
  }
}
