/**
 * Temporary directories for tests.
 * @module
 */

/** A fresh temporary directory with an empty `home` folder in it (a private S9S_HOME). */
export async function tempHome(prefix = "s9s-test-"): Promise<{ dir: string; home: string }> {
  const dir = await Deno.makeTempDir({ prefix });
  const home = `${dir}/home`;
  await Deno.mkdir(home);
  return { dir, home };
}

/** A working directory for a Slurm job of a test, from {@link jobScratch}. */
export interface JobScratch {
  dir: string;
  /** A private S9S_HOME inside `dir`. */
  home: string;
  /** Create the gate file `name` the job waits for. */
  go: (name?: string) => Promise<void>;
  /**
   * A shell snippet that waits for the gate file `name`. Its stderr goes to /dev/null: when a
   * cancel's SIGTERM kills `sleep` before bash, bash says "Terminated" in the job's output.
   */
  wait: (name?: string) => string;
}

/**
 * A fresh directory in /tmp for a job to run in: world-readable (the job, and runs as other
 * users, read it), with a private `home` and a gate file the job waits for instead of sleeping.
 */
export async function jobScratch(prefix: string): Promise<JobScratch> {
  const dir = await Deno.makeTempDir({ dir: "/tmp", prefix });
  await Deno.chmod(dir, 0o755);
  const home = `${dir}/home`;
  await Deno.mkdir(home);
  return {
    dir,
    home,
    go: (name = "go") => Deno.writeTextFile(`${dir}/${name}`, ""),
    wait: (name = "go") => `{ while [ ! -e ${dir}/${name} ]; do sleep 0.1; done; } 2>/dev/null`,
  };
}
