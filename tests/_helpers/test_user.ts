/**
 * Run s9s from source as the unprivileged test user (S9S_TEST_SLURM_USER, default "s9stest"),
 * as root. That user may reach neither the deno running the tests nor this clone: both often
 * live under a 0700 home (/root, or npm's prefix under ~). So the user gets a deno of its own in
 * a shared root-owned place, and a readable copy of the program's sources.
 * @module
 */
import { denoCacheDir, ROOT } from "./cli.ts";
import { sh } from "./command.ts";

/** The unprivileged user the setup creates. */
export const TEST_USER = Deno.env.get("S9S_TEST_SLURM_USER") || "s9stest";

/** Where the shared copy of deno goes (root-owned, world-executable). */
const SHARED = "/usr/local/lib/s9s-test";

/** Exit code and output (stdout and stderr together) of a setup command. */
async function run(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  const r = await sh([cmd, ...args]);
  return { code: r.code, out: r.stdout + r.stderr };
}

/** Whether the test user can do `test FLAG path` (`-x` run it, `-r` read it). */
async function userCan(flag: "-x" | "-r", path: string): Promise<boolean> {
  return (await run("runuser", ["-u", TEST_USER, "--", "test", flag, path])).code === 0;
}

/** Copy `from` to `to` through a temporary name, so a concurrent reader never sees half a file. */
async function copyFile(from: string, to: string, mode: number): Promise<void> {
  const part = `${to}.${Deno.pid}.part`;
  await Deno.copyFile(from, part);
  await Deno.chmod(part, mode);
  await Deno.rename(part, to);
}

let shared: Promise<{ deno: string; main: string }> | undefined;

/**
 * A deno and a main.ts the test user can run: the test's own when the user reaches them, else
 * a copy of deno in /usr/local/lib/s9s-test (kept across runs) and of the sources in a temp dir.
 */
export function testUserProgram(): Promise<{ deno: string; main: string }> {
  return shared ??= (async () => {
    let deno = Deno.execPath();
    if (!(await userCan("-x", deno))) {
      await Deno.mkdir(SHARED, { recursive: true, mode: 0o755 });
      await Deno.chmod(SHARED, 0o755);
      deno = `${SHARED}/deno-${Deno.version.deno}`;
      const have = await Deno.stat(deno).catch(() => undefined);
      if (have?.size !== (await Deno.stat(Deno.execPath())).size) {
        await copyFile(Deno.execPath(), deno, 0o755);
      }
    }
    let main = `${ROOT}main.ts`;
    if (!(await userCan("-r", main)) || !(await userCan("-r", `${ROOT}src/mod.ts`))) {
      const dir = await Deno.makeTempDir({ prefix: "s9s-user-src-" });
      await Deno.chmod(dir, 0o755);
      const r = await run("cp", [
        "-r",
        ...["main.ts", "src", "deno.json", "deno.lock"].map((f) => ROOT + f),
        dir,
      ]);
      if (r.code !== 0) throw new Error(`copying the sources for ${TEST_USER} failed: ${r.out}`);
      await run("chmod", ["-R", "a+rX", dir]);
      globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
      main = `${dir}/main.ts`;
    }
    return { deno, main };
  })();
}

/**
 * A copy of Deno's module cache in `dir`/deno that the test user owns (deno writes to it); the
 * other paths in `own` are given to the user too.
 */
export async function testUserDenoDir(dir: string, own: string[] = []): Promise<string> {
  const denoDir = `${dir}/deno`;
  const r = await run("cp", ["-r", denoCacheDir(), denoDir]);
  if (r.code !== 0) throw new Error(`copying Deno's cache failed: ${r.out}`);
  const c = await run("chown", ["-R", TEST_USER, denoDir, ...own]);
  if (c.code !== 0) throw new Error(`chown to ${TEST_USER} failed: ${c.out}`);
  return denoDir;
}

/**
 * The command line (for `Deno.Command("runuser", { args })`) that runs s9s with `args` as the
 * test user, with `env` and only the cached modules.
 */
export async function testUserArgs(env: Record<string, string>, args: string[]): Promise<string[]> {
  const { deno, main } = await testUserProgram();
  return [
    "-u",
    TEST_USER,
    "--",
    "env",
    ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
    deno,
    "run",
    "-A",
    "--unsafe-proto",
    "--cached-only",
    main,
    ...args,
  ];
}
