/**
 * Run a command (sbatch, ss, pgrep …) to its end, for tests.
 * @module
 */

/** Where and with what environment {@link sh} runs a command (as Deno.Command takes them). */
export interface ShOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Start from an empty environment, `env` only. */
  clearEnv?: boolean;
}

/** The exit code and output of `cmd[0]` run with the rest as its arguments (stdin empty). */
export async function sh(
  cmd: string[],
  opts: ShOptions = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    ...opts,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** The stdout of `cmd` run to its end; throws with its stderr when it exits non-zero. */
export async function shOut(cmd: string[]): Promise<string> {
  const r = await sh(cmd);
  if (r.code !== 0) throw new Error(`${cmd.join(" ")} failed: ${r.stderr}`);
  return r.stdout;
}
