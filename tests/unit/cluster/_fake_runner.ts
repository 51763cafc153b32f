/**
 * A stand-in for the Slurm commands in backend unit tests: canned answers by command prefix, and
 * the command lines it was asked to run.
 * @module
 */
import type { CommandResult, CommandRunner } from "../../../src/cluster/slurm_command.ts";

/** A canned result (missing fields: exit 0, no output), one computed from the args, or a throw. */
export type Answer =
  | Partial<CommandResult>
  | ((args: string[]) => Partial<CommandResult>)
  | { throws: Error };

/** A runner answering each command from the first `answers` key its command line starts with. */
export function fakeRunner(
  answers: Record<string, Answer>,
): { run: CommandRunner; calls: string[] } {
  const calls: string[] = [];
  const run = (cmd: string, args: string[]): Promise<CommandResult> => {
    const line = [cmd, ...args].join(" ");
    calls.push(line);
    const key = Object.keys(answers).find((k) => line.startsWith(k));
    if (!key) return Promise.reject(new Error(`unexpected command: ${line}`));
    const a = answers[key];
    if ("throws" in a) return Promise.reject(a.throws);
    const r = typeof a === "function" ? a(args) : a;
    return Promise.resolve({ code: 0, stdout: "", stderr: "", ...r });
  };
  return { run, calls };
}
