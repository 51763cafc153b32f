/**
 * Find an executable on PATH without starting a process (the Slurm commands, the system ssh).
 * @module
 */
/**
 * The full path of an executable `cmd` on PATH (or `cmd` itself when it holds a slash and is
 * executable), found with stat alone — no process is started.
 */
export async function which(
  cmd: string,
  path = Deno.env.get("PATH") ?? "",
): Promise<string | undefined> {
  const candidates = cmd.includes("/")
    ? [cmd]
    : path.split(":").filter((d) => d).map((d) => `${d.replace(/\/+$/, "")}/${cmd}`);
  for (const file of candidates) {
    try {
      const st = await Deno.stat(file);
      if (st.isFile && (st.mode === null || (st.mode & 0o111) !== 0)) return file;
    } catch {
      // not there or not readable: try the next directory
    }
  }
  return undefined;
}
