/**
 * `deno task compile`: build the single s9s binary (default `dist/s9s`).
 *
 *   deno task compile [--target aarch64-unknown-linux-gnu] [--output dist/s9s-arm64] [--verbose]
 *
 * It runs `deno compile` with the permissions and V8 flags of the `s9s` task (read from deno.json,
 * so the binary and `deno task s9s` cannot drift apart), includes the gzip worker (loaded with
 * `new Worker(new URL(…))`, which the module graph does not see), and excludes neo-blessed's
 * `example/` folder: it ships `example/ansi-viewer/ansi-art.list`, 2,700 lines of URLs that Deno
 * parses as JavaScript (each line a label and a comment) until the nested labels overflow the
 * parser's stack ("fatal runtime error: stack overflow"). Deno's glob excludes do not match
 * files in its npm cache, so the folder is excluded by its absolute path there (`deno info
 * --json` names the cache). neo-blessed's terminfo data (`usr/`) stays in, so the binary needs
 * no terminfo on the host; `scripts/check_payload.ts` verifies all of this from the output.
 *
 * `deno compile` downloads Deno's runtime base ("denort") on first use; where that is not
 * reachable set DENORT_BIN to a local denort. DENORT_BIN pointing at a `deno` executable lets
 * compile finish for a payload check (CI does this), but that output only starts Deno: it is
 * written to dist/s9s-standin unless --output is given.
 */
import { join, resolve } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const WORKER = "src/persist/gzip_worker.ts";
const COMMIT_FILE = "src/build_commit.txt";

/** Where a build with the `deno` executable as its base goes unless --output says otherwise. */
export const STAND_IN_OUTPUT = "dist/s9s-standin";

/** Whether `path` is the Deno CLI (which prints its version) rather than denort. */
async function isDenoCli(path: string | undefined): Promise<boolean> {
  if (!path) return false;
  try {
    const out = await new Deno.Command(path, {
      args: ["--version"],
      stdout: "piped",
      stderr: "null",
    })
      .output();
    return out.success && /^deno \d/.test(new TextDecoder().decode(out.stdout));
  } catch {
    return false;
  }
}

/** Run a deno subcommand in the repository; returns its stdout. */
async function deno(args: string[], capture = false): Promise<{ ok: boolean; out: string }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: root,
    stdout: capture ? "piped" : "inherit",
    stderr: "inherit",
    stdin: "null",
  }).output();
  return { ok: r.success, out: capture ? new TextDecoder().decode(r.stdout) : "" };
}

function fail(message: string, hint?: string): never {
  console.error(`error: ${message}`);
  if (hint) console.error(`hint: ${hint}`);
  Deno.exit(1);
}

/** The `s9s` task's runtime flags: permissions, --unsafe-proto and --v8-flags. */
export async function s9sRunFlags(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
  const task: string = config.tasks?.s9s ?? "";
  const flags = task.split(/\s+/).filter((w) =>
    w === "--allow-all" || w === "-A" || w === "--unsafe-proto" || w.startsWith("--v8-flags=")
  );
  if (!flags.some((f) => f.startsWith("--v8-flags="))) {
    fail('the "s9s" task in deno.json has no --v8-flags', "compile copies its flags from there");
  }
  return flags;
}

/** neo-blessed's version as deno.json pins it. */
export async function neoBlessedVersion(): Promise<string> {
  const config = JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
  const m = /^npm:neo-blessed@(.+)$/.exec(config.imports?.["neo-blessed"] ?? "");
  if (!m) fail('deno.json does not pin "neo-blessed" to an npm version');
  return m[1];
}

/** The package folders of neo-blessed in Deno's npm cache (one per registry host). */
export async function neoBlessedDirs(): Promise<string[]> {
  const info = await deno(["info", "--json"], true);
  if (!info.ok) fail("`deno info --json` failed");
  const npmCache: string = JSON.parse(info.out).npmCache;
  const version = await neoBlessedVersion();
  const dirs: string[] = [];
  try {
    for await (const host of Deno.readDir(npmCache)) {
      const dir = join(npmCache, host.name, "neo-blessed", version);
      try {
        if ((await Deno.stat(dir)).isDirectory) dirs.push(dir);
      } catch { /* not from this registry */ }
    }
  } catch { /* no npm cache yet */ }
  return dirs;
}

if (import.meta.main) {
  // Deno's own report lists every embedded file (130 lines); --verbose shows it.
  const verbose = Deno.args.includes("--verbose");
  const args = Deno.args.filter((a) => a !== "--verbose");
  const standIn = await isDenoCli(Deno.env.get("DENORT_BIN"));
  if (!args.some((a) => a === "--output" || a === "-o" || a.startsWith("--output="))) {
    // A stand-in build never takes the real binary's name, so nothing mistakes it for one.
    args.push("--output", standIn ? STAND_IN_OUTPUT : "dist/s9s");
  }
  if (standIn) {
    console.error(
      "compile: DENORT_BIN is a deno executable, not denort: the output holds the full payload " +
        "for scripts/check_payload.ts but only starts Deno when run",
    );
  }
  // The npm packages must be in the cache before their folder can be excluded by path.
  if (!(await deno(["install", "--frozen", "--quiet"])).ok) {
    fail("could not install the npm packages", "run `deno install --frozen` to see why");
  }
  const blessed = await neoBlessedDirs();
  if (blessed.length === 0) fail("neo-blessed is not in Deno's npm cache after `deno install`");
  const excludes = blessed.flatMap((dir) => ["--exclude", join(dir, "example")]);

  // `s9s --version` of the binary names the commit it was built from (src/version.ts reads it).
  const git = await new Deno.Command("git", {
    args: ["rev-parse", "--short=12", "HEAD"],
    cwd: root,
    stdout: "piped",
    stderr: "null",
  }).output().catch(() => undefined);
  const commit = git?.success ? new TextDecoder().decode(git.stdout).trim() : "";
  await Deno.writeTextFile(join(root, COMMIT_FILE), commit ? `${commit}\n` : "");

  const denort = Deno.env.get("DENORT_BIN");
  const compile = [
    "compile",
    ...(verbose ? [] : ["--quiet"]),
    ...(await s9sRunFlags()),
    "--include",
    WORKER,
    "--include",
    COMMIT_FILE,
    ...excludes,
    ...args,
    "main.ts",
  ];
  if (!(await deno(compile)).ok) {
    fail(
      "deno compile failed",
      denort
        ? `check DENORT_BIN ("${denort}")`
        : "if Deno's runtime base could not be downloaded, set DENORT_BIN to a local denort",
    );
  }
  const output = args[args.findIndex((a) => a === "--output" || a === "-o") + 1] ??
    args.find((a) => a.startsWith("--output="))?.slice("--output=".length);
  const size = output ? (await Deno.stat(resolve(root, output)).catch(() => undefined))?.size : 0;
  console.error(
    `compile: wrote ${output}${size ? ` (${(size / 1e6).toFixed(1)} MB)` : ""}` +
      (verbose ? "" : "; --verbose lists the embedded files"),
  );
}
