/**
 * The test command: prepares what the integration tests need, runs `deno test`, and ends with a
 * plain `N passed, N failed, N skipped` line (deno's "ignored" are the skipped).
 *
 *   deno task -q test [deno test args…]
 *
 * As root it prepares everything itself: tmux (apt-get, if missing), the unprivileged test user
 * (S9S_TEST_SLURM_USER, default "s9stest"), the single-node Slurm cluster, the loopback SSH node
 * and its host-based-only sibling (scripts/ssh_hostbased.sh),
 * a private Prometheus and a private rsyslogd. Services it started are stopped again at the end,
 * and so is the namespace cluster when the tests started it; services that were already running
 * are left alone. Not root: those tests are skipped.
 *
 * S9S_TEST_NO_SETUP=1 skips the setup. CI=true makes a failed setup fatal and counts every
 * skipped test as a failure: all skips are integration tests whose setup is missing, and in CI
 * that hides a broken setup.
 */

import { LAZY_MODULES } from "../src/platform/lazy_import.ts";
const root = new URL("..", import.meta.url).pathname;
const ci = (Deno.env.get("CI") ?? "") === "true";
const env: Record<string, string> = { NO_COLOR: "1" };
const TEST_USER = Deno.env.get("S9S_TEST_SLURM_USER") || "s9stest";

async function sh(
  cmd: string[],
  opts: { capture?: boolean; quiet?: boolean } = {},
): Promise<{ code: number; out: string }> {
  try {
    const r = await new Deno.Command(cmd[0], {
      args: cmd.slice(1),
      cwd: root,
      stdout: opts.capture ? "piped" : opts.quiet ? "null" : "inherit",
      stderr: opts.quiet ? "null" : "inherit",
      stdin: "null",
    }).output();
    return { code: r.code, out: opts.capture ? new TextDecoder().decode(r.stdout) : "" };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { code: 127, out: "" };
    throw e;
  }
}

function isRoot(): boolean {
  try {
    return Deno.uid() === 0;
  } catch {
    return false;
  }
}

/** A setup step failed: fatal under CI, otherwise its tests are skipped. */
function setupFailed(what: string): void {
  if (ci) {
    console.error(`error: ${what}`);
    Deno.exit(1);
  }
  console.error(`test: ${what}; the tests that need it will be skipped`);
}

/** Add the `export NAME=value` lines a service script prints for `env` to the tests' env. */
async function importEnv(script: string): Promise<void> {
  const e = await sh(["bash", script, "env"], { capture: true });
  for (const line of e.out.split("\n")) {
    const m = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2].replace(/^["']|["']$/g, "");
  }
}

/** Services this run started, stopped again at the end. */
const started: { name: string; script: string }[] = [];

/**
 * The namespace cluster (scripts/ns_cluster.sh) is started by the tests that need it
 * (tests/_helpers/ns_cluster.ts), not here: most runs do not. Whether it was already running is
 * noted, so that one this run's tests started is stopped at the end like the services above.
 */
const NS_CLUSTER = { name: "the namespace test cluster", script: "scripts/ns_cluster.sh" };
let nsWasRunning = true;

async function setup(): Promise<void> {
  if (!isRoot()) {
    console.log(
      "test: not root, so no Slurm cluster, SSH node, Prometheus or rsyslogd is started; " +
        "their integration tests are skipped",
    );
    return;
  }
  // tmux drives the TUI tests; zsh and fish load the completion scripts.
  const missing = [["tmux", "-V"], ["zsh", "--version"], ["fish", "--version"]]
    .map(async ([bin, flag]) => (await sh([bin, flag], { quiet: true })).code !== 0 ? bin : "");
  const packages = (await Promise.all(missing)).filter(Boolean);
  if (packages.length) {
    console.log(`test: installing ${packages.join(", ")} (apt-get install)`);
    let r = await sh(["apt-get", "install", "-y", "-qq", ...packages], { quiet: true });
    if (r.code !== 0) {
      // A fresh machine's package lists may be empty or stale.
      await sh(["apt-get", "update", "-qq"], { quiet: true });
      r = await sh(["apt-get", "install", "-y", "-qq", ...packages], { quiet: true });
    }
    if (r.code !== 0) setupFailed(`${packages.join(", ")} could not be installed`);
  }
  if ((await sh(["id", "-u", TEST_USER], { quiet: true })).code !== 0) {
    console.log(`test: creating the unprivileged test user "${TEST_USER}" (useradd)`);
    const r = await sh([
      "useradd",
      "--no-create-home",
      "--shell",
      "/usr/sbin/nologin",
      "--comment",
      "s9s test user",
      TEST_USER,
    ]);
    if (r.code !== 0) setupFailed(`the test user "${TEST_USER}" could not be created`);
  }
  for (
    const [name, script] of [
      ["the single-node Slurm test cluster", "scripts/slurm_cluster.sh"],
      ["the loopback SSH test node", "scripts/ssh_node.sh"],
      ["the host-based-only SSH test node", "scripts/ssh_hostbased.sh"],
      ["a private Prometheus", "scripts/prometheus.sh"],
      ["a private rsyslogd", "scripts/rsyslog.sh"],
    ]
  ) {
    if ((await sh(["bash", script, "status"], { quiet: true })).code !== 0) {
      console.log(`test: starting ${name} (${script} start)`);
      if ((await sh(["bash", script, "start"])).code !== 0) {
        setupFailed(`${name} did not start`);
        continue;
      }
      started.push({ name, script });
    }
    await importEnv(script);
  }
  nsWasRunning = (await sh(["bash", NS_CLUSTER.script, "status"], { quiet: true })).code === 0;
}

async function cleanup(): Promise<void> {
  if (
    !nsWasRunning &&
    (await sh(["bash", NS_CLUSTER.script, "status"], { quiet: true })).code === 0
  ) {
    started.push(NS_CLUSTER);
  }
  for (const { name, script } of started.reverse()) {
    console.log(`test: stopping ${name}, which this run started`);
    await sh(["bash", script, "stop"], { quiet: true });
  }
}

if (Deno.env.get("S9S_TEST_NO_SETUP") !== "1") await setup();

const args = Deno.args.length ? Deno.args : ["tests/"];
const testArgs = ["test", "--allow-all", "--unsafe-proto", ...args];

// s9s's own module graph (and every lazily imported module's) into the cache first. `deno install` alone
// caches the packages but not the registry metadata `deno run` wants for npm imports, so every
// s9s a test spawned on a fresh cache fetched it again (a process that exits at once does not
// keep it) and printed Deno's "Download …" lines into the test's stderr.
await sh([
  Deno.execPath(),
  "install",
  "--frozen",
  "--quiet",
  "--entrypoint",
  "main.ts",
  ...LAZY_MODULES,
], { quiet: true });
// The bundle (scripts/bundle.ts), so that the integration tests' s9s runs it as an installed
// one does; tests/integration/cli_bundle_test.ts covers the sources and the bundle on a copy.
if (
  (await sh([Deno.execPath(), "run", "-A", "scripts/bundle.ts", "--quiet"], { quiet: true })).code
) {
  console.error("note: deno task bundle failed; the tests run s9s from the sources");
}
// And one real run of `s9s stream` with history on (its lazily loaded parts: config defaults,
// the history writer, gzip), so that no test's s9s is the first to load them — a test that starts
// s9s under a tight `ulimit -n` must not see Deno fetch anything then.
{
  const tmp = await Deno.makeTempDir({ prefix: "s9s-warmup-" });
  await Deno.writeTextFile(`${tmp}/w.out`, "warm-up\n");
  await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "-A",
      "--unsafe-proto",
      "main.ts",
      "stream",
      "--no-follow",
      "--path",
      `${tmp}/w.out`,
    ],
    cwd: root,
    env: { S9S_HOME: `${tmp}/home`, NO_COLOR: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).output().catch(() => {});
  await Deno.remove(tmp, { recursive: true }).catch(() => {});
}

// Load and type-check everything once, silently and without running a test (a filter no test
// matches), so that the run below prints no "Download …" or "Check …" progress lines on a fresh
// cache. Anything that fails here fails again below, where it is shown. The run itself is not
// --quiet: that would also hide what a failing test printed.
await sh(
  [Deno.execPath(), ...testArgs, "--filter", "/^s9s-prepare-only: no test has this name$/"],
  {
    quiet: true,
  },
);

/** What one `deno test` run reported. */
interface RunResult {
  code: number;
  /** deno's own summary line, when it got that far. */
  summary?: { passed: number; failed: number; ignored: number };
  /** Top-level results counted line by line (what is left when deno dies before its summary). */
  counted: { passed: number; failed: number; ignored: number };
  /** Test files in the order deno started them. */
  started: string[];
}

/** Run `deno test` with `files` (and the flags), passing its output through while reading it. */
async function runDenoTest(files: string[]): Promise<RunResult> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [...testArgs.filter((a) => !testFiles.includes(a)), ...files],
    cwd: root,
    env: { ...Deno.env.toObject(), ...env },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const r: RunResult = { code: 0, counted: { passed: 0, failed: 0, ignored: 0 }, started: [] };
  let line = "";
  const dec = new TextDecoder();
  const onLine = (l: string) => {
    const from = /^running \d+ tests? from \.?\/?(.+)$/.exec(l);
    if (from) r.started.push(from[1]);
    // Only top-level tests: steps are indented.
    const result = /^(\S.*) \.\.\. (ok|FAILED|ignored) \(/.exec(l);
    if (result) {
      const kind = result[2] === "ok" ? "passed" : result[2] === "FAILED" ? "failed" : "ignored";
      r.counted[kind]++;
      if (kind === "ignored") skippedNames.push(result[1]);
    }
    const summary = /^(?:ok|FAILED) \| (\d+) passed.*? \| (\d+) failed(?: \| (\d+) ignored)?/.exec(
      l,
    );
    if (summary) {
      r.summary = {
        passed: Number(summary[1]),
        failed: Number(summary[2]),
        ignored: Number(summary[3] ?? 0),
      };
    }
  };
  for await (const chunk of child.stdout) {
    await Deno.stdout.write(chunk);
    line += dec.decode(chunk, { stream: true });
    const lines = line.split("\n");
    line = lines.pop()!;
    lines.forEach(onLine);
  }
  onLine(line);
  r.code = (await child.status).code;
  return r;
}

/** The test files named by the arguments (directories walked), as deno test would find them. */
function expandTestFiles(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const st = Deno.statSync(`${root}/${p}`);
    if (st.isFile) return void out.push(p.replace(/^\.\//, ""));
    for (
      const e of [...Deno.readDirSync(`${root}/${p}`)].sort((x, y) => x.name < y.name ? -1 : 1)
    ) {
      const child = `${p.replace(/\/$/, "")}/${e.name}`;
      if (e.isDirectory) walk(child);
      else if (/(^|[_.])test\.(ts|tsx|mts|js|mjs|jsx)$/.test(e.name)) out.push(child);
    }
  };
  paths.forEach(walk);
  return out;
}

/** The arguments that name files or directories (the rest are deno test flags). */
const testFiles = args.filter((a) => {
  try {
    Deno.statSync(`${root}/${a}`);
    return true;
  } catch {
    return false;
  }
});

// One test that kills `deno test` (the kernel's OOM killer, a crash) must not take the suite
// with it: the tests that ran are counted, that file is a failure, and the files after it run.
let passed = 0;
let failed = 0;
let ignored = 0;
const skippedNames: string[] = [];
let remaining = expandTestFiles(testFiles);
let status = { code: 0 };
let first = true;
while (first || remaining.length) {
  const r = await runDenoTest(first ? testFiles : remaining);
  first = false;
  const counts = r.summary ?? r.counted;
  passed += counts.passed;
  failed += counts.failed;
  ignored += counts.ignored;
  if (r.code !== 0) status = { code: r.code };
  if (r.summary || r.code === 0) break;
  // deno died before its summary: the file it was running failed; go on after it. (Before any
  // file started it is a type or load error: said above, nothing to go on with.)
  failed++;
  const crashed = r.started.at(-1);
  if (!crashed) break;
  console.log(
    `\ntest: deno test ended (exit ${r.code}) before its summary, while running ${crashed}; ` +
      "its tests so far are counted and the files after it run on",
  );
  const done = new Set(r.started);
  remaining = remaining.filter((f) => !done.has(f));
}
await cleanup();

let ok = status.code === 0 && failed === 0;
if (!ok && failed === 0) failed = 1; // a type error before any test ran
if (ci && ignored > 0) {
  console.log(
    `test: CI=true, so the ${ignored} skipped tests count as failures (their setup is missing): ` +
      skippedNames.join("; "),
  );
  failed += ignored;
  ignored = 0;
  ok = false;
}
console.log(`${passed} passed, ${failed} failed, ${ignored} skipped`);
Deno.exit(ok ? 0 : 1);
