/**
 * Run a Slurm client command (no shell) with a deadline, turning "not installed" and "did not
 * answer" into errors the user can act on.
 * @module
 */
import { UserFacingError } from "../errors.ts";
import { SlurmCommandStopped } from "./slurm_command_stopped.ts";

export { SlurmCommandStopped, stoppedBySignal } from "./slurm_command_stopped.ts";

/** What a finished command printed. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command; injectable so backends can be tested without Slurm. */
export type CommandRunner = (cmd: string, args: string[]) => Promise<CommandResult>;

/** Options for {@link runSlurmCommand}. */
export interface RunOptions {
  /** Milliseconds before the command is killed; 15 s by default. */
  timeout?: number;
  /** Aborts the command early. */
  signal?: AbortSignal;
}

/** Default deadline for one Slurm command. */
export const COMMAND_TIMEOUT_MS = 15_000;

const decoder = new TextDecoder();

/**
 * ISO timestamps whatever the user's SLURM_TIME_FORMAT says ("relative" would be unparseable).
 * Output formats need no such care: s9s always passes `-o` or `--json`, which win over the
 * SQUEUE_FORMAT/SACCT_FORMAT variables.
 */
function commandEnv(): Record<string, string> {
  return { SLURM_TIME_FORMAT: "standard" };
}

/** Signals that stop a whole process group: `timeout`, Ctrl+C, a closed terminal. */
const STOP_SIGNALS: readonly Deno.Signal[] = ["SIGTERM", "SIGINT", "SIGHUP"];

/** Run `cmd args…`; resolves with its exit code and output, rejects with a UserFacingError. */
export async function runSlurmCommand(
  cmd: string,
  args: string[],
  options: RunOptions = {},
): Promise<CommandResult> {
  const timeout = options.timeout ?? COMMAND_TIMEOUT_MS;
  const timer = AbortSignal.timeout(timeout);
  const signal = options.signal ? AbortSignal.any([timer, options.signal]) : timer;
  try {
    const out = await new Deno.Command(cmd, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: commandEnv(),
      signal,
    }).output();
    // An aborted command is killed and resolves with its signal status, not a rejection.
    if (timer.aborted) throw timer.reason;
    options.signal?.throwIfAborted();
    if (out.signal && STOP_SIGNALS.includes(out.signal)) {
      throw new SlurmCommandStopped(`"${cmd} ${args.join(" ")}" was stopped by ${out.signal}`);
    }
    return {
      code: out.code,
      stdout: decoder.decode(out.stdout),
      stderr: decoder.decode(out.stderr),
    };
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new UserFacingError(`"${cmd}" not found`, {
        hint: "install the Slurm client commands or add them to PATH; without Slurm, try --mock " +
          "or point streaming.slurm_api at slurmrestd",
        cause: err,
      });
    }
    if (err instanceof Deno.errors.PermissionDenied) {
      throw new UserFacingError(`cannot run "${cmd}": permission denied`, { cause: err });
    }
    if (timer.aborted) {
      throw new UserFacingError(
        `"${cmd} ${args.join(" ")}" did not answer within ${timeout / 1000} s`,
        {
          hint: "slurmctld may be down or overloaded; check with `scontrol ping`",
          cause: err,
        },
      );
    }
    throw err;
  }
}

/** The first non-empty line of a command's stderr (Slurm puts the reason there). */
export function firstLine(text: string): string {
  return text.split("\n").map((l) => l.trim()).find((l) => l) ?? "";
}

/** A UserFacingError for a Slurm command that exited non-zero. */
export function commandFailed(cmd: string, args: string[], result: CommandResult): UserFacingError {
  const why = firstLine(result.stderr) || firstLine(result.stdout) || `exit code ${result.code}`;
  return new UserFacingError(`"${cmd} ${args.join(" ")}" failed: ${why}`, {
    hint: /contact|connect|timed? ?out|unreachable/i.test(why)
      ? "slurmctld is not reachable; check with `scontrol ping` and `systemctl status slurmctld`"
      : "run the command yourself to see the full error",
  });
}
