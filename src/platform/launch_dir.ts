/**
 * The directory the user typed the command in, when s9s runs as `deno task s9s` from a clone:
 * a task runs in the project's directory, so `--path rel.log` would name a file in the clone.
 * @module
 */

/**
 * Go back to the directory the task was typed in (INIT_CWD) when s9s was started by its own
 * task: the working directory is the program's own (`programDir`) and the launcher is Deno
 * (`npm_config_user_agent` "deno/…", `deno task`), or npx running `deno task` (`npm_command`
 * "exec": npx sets INIT_CWD and its own user agent, and `deno task` keeps both). A compiled
 * binary, or s9s run by another project's task, keeps its working directory. Returns the
 * directory entered, if any.
 */
export function enterLaunchDir(programDir: string): string | undefined {
  const initCwd = Deno.env.get("INIT_CWD");
  const agent = Deno.env.get("npm_config_user_agent") ?? "";
  const byNpx = agent.startsWith("npm/") && Deno.env.get("npm_command") === "exec";
  if (!initCwd || !(agent.startsWith("deno/") || byNpx)) return undefined;
  let cwd: string;
  try {
    cwd = Deno.cwd();
  } catch {
    return undefined; // the working directory is gone
  }
  if (cwd === initCwd || cwd !== programDir.replace(/\/$/, "")) return undefined;
  try {
    Deno.chdir(initCwd);
    return initCwd;
  } catch {
    return undefined; // gone or not ours to enter: stay where the task put us
  }
}
