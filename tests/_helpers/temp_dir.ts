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
