/**
 * Shared helpers for the bench cases: the row type, temp dirs and configs, a realistic log
 * generator, process timing and CPU accounting from /proc.
 * @module
 */
import { parsePartFileName, sessionStamp } from "../../src/persist/history_dir.ts";

/** One row of the bench table. */
export interface BenchRow {
  case: string;
  metric: string;
  s9s: number | string;
  reference?: number | string;
  unit: string;
  note?: string;
}

/** Quick mode (S9S_BENCH_SHORT=1): fewer runs, smaller inputs, shorter waits. */
export const SHORT = Deno.env.get("S9S_BENCH_SHORT") === "1";

/** Repository root (scripts/bench/..). */
export const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
/** main.ts of the repository. */
export const MAIN = `${ROOT}/main.ts`;

/**
 * The `s9s` task's own command line from deno.json (`deno run --allow-all --unsafe-proto
 * --v8-flags=… main.ts`), main.ts made absolute: how the compiled binary starts, without the
 * ~100 ms `deno task` adds. Run it with the repository as cwd (deno.json maps the imports).
 */
export function s9sTaskArgv(): string[] {
  const cfg = JSON.parse(Deno.readTextFileSync(`${ROOT}/deno.json`)) as {
    tasks: Record<string, string>;
  };
  return cfg.tasks.s9s.trim().split(/\s+/).map((a) => (a === "main.ts" ? MAIN : a));
}

/** argv to run s9s from source, as the `s9s` task does. */
export function s9sCmd(...args: string[]): string[] {
  return [...s9sTaskArgv(), ...args];
}

/**
 * An environment with the default configuration: a fresh, empty HOME and S9S_HOME (no config
 * file, history on as by default) and no S9S_ variables. DENO_DIR stays the caller's so the
 * module cache is not fetched again.
 */
export function defaultEnv(name: string): Record<string, string> {
  const home = `${benchTmp()}/default-${name}-${Math.random().toString(36).slice(2, 8)}`;
  Deno.mkdirSync(`${home}/.s9s`, { recursive: true });
  const denoDir = Deno.env.get("DENO_DIR") ??
    `${Deno.env.get("HOME") ?? "/root"}/.cache/deno`;
  return { HOME: home, S9S_HOME: `${home}/.s9s`, S9S_CONFIG: "", DENO_DIR: denoDir, NO_COLOR: "1" };
}

/** The median of some numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The p-th percentile (0–100) of some numbers, nearest rank. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i];
}

/**
 * Fill the history directory of `env`'s HOME as a week of use leaves it: at its max_files (50),
 * sessions spread over the last six days. Fifty short runs of `s9s stream --no-follow` on `small`
 * make the files, which are then dated back (renamed to their new start, the time set a second
 * after it), so that every later run's cleanup removes the oldest, as a user's does.
 */
export async function weekOfHistory(env: Record<string, string>, small: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const r = await timeShell(
      `${s9sCmd("stream", "-q", "--path", small, "--no-follow").map(sh).join(" ")}`,
      env,
    );
    if (r.code !== 0) throw new Error(`filling the history failed: ${r.stderr}`);
  }
  const dir = `${env.S9S_HOME}/stream_history`;
  const parts = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => parsePartFileName(n))
    .sort();
  if (parts.length !== 50) throw new Error(`expected 50 history files, found ${parts.length}`);
  const now = Date.now();
  parts.forEach((name, i) => {
    const start = new Date(now - (50 - i) * 3 * 3_600_000); // every 3 h, oldest first
    const stamp = sessionStamp(start);
    const renamed = `${stamp}${name.slice(stamp.length)}`;
    Deno.renameSync(`${dir}/${name}`, `${dir}/${renamed}`);
    const written = new Date(start.getTime() + 1000);
    Deno.utimeSync(`${dir}/${renamed}`, written, written);
  });
  // The index (a cache of what `history list` shows) would name the files as they were.
  try {
    Deno.removeSync(`${dir}/index.json`);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
}

/** Round to `d` decimals. */
export function round(x: number, d = 2): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

let tmpRoot: string | undefined;
/** A temp dir shared by the whole run (removed by {@link cleanupTmp}). */
export function benchTmp(): string {
  tmpRoot ??= Deno.makeTempDirSync({ prefix: "s9s-bench-" });
  return tmpRoot;
}

/** Remove the run's temp dir. */
export function cleanupTmp(): void {
  if (tmpRoot) Deno.removeSync(tmpRoot, { recursive: true });
  tmpRoot = undefined;
}

/** Write a config file under the temp dir and return its path and an env with S9S_HOME set. */
export function benchConfig(
  name: string,
  yaml: string,
): { config: string; env: Record<string, string> } {
  const dir = `${benchTmp()}/home-${name}`;
  Deno.mkdirSync(dir, { recursive: true });
  const config = `${dir}/config.yaml`;
  Deno.writeTextFileSync(config, yaml);
  return { config, env: { S9S_HOME: dir, NO_COLOR: "1" } };
}

const LEVELS = ["INFO", "INFO", "INFO", "DEBUG", "INFO", "DEBUG", "INFO", "INFO", "TRACE"];
const MSGS = [
  "epoch {a} step {b}/5000 loss={c}.{d} lr=3.0e-4 grad_norm=0.{e} tokens/s={f}",
  "rank {a}: allreduce of {b} buckets took {c}.{d} ms on nccl ring {e}",
  "loading shard /lustre/scratch/project/data/shard-{a}-of-{b}.arrow ({c} MB)",
  "checkpoint saved to /scratch/user/run-{a}/ckpt-{b}.pt in {c}.{d}s",
  "mpi rank {a} node cn{b} mem rss={c} MB vms={d} MB threads={e}",
  "solver iteration {a}: residual={c}.{d}e-{e} dt={b}.0 cfl=0.{f}",
];
const BAD = [
  "ERROR rank {a}: CUDA out of memory while allocating {b} MiB (free {c} MiB)",
  "WARN slow I/O on /lustre/scratch: {a} MB/s below threshold {b} MB/s",
  "WARN NaN detected in layer {a}, skipping step {b}",
  "ERROR failed to open /scratch/user/run-{a}/input-{b}.h5: No such file or directory",
];

/** Deterministic pseudo-random numbers (xorshift). */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** One realistic log line (no newline); `match` decides whether it has ERROR or WARN. */
export function logLine(i: number, match: boolean, r: () => number): string {
  const t = new Date(1_750_000_000_000 + i * 37).toISOString();
  const tpl = match ? BAD[r() % BAD.length] : MSGS[r() % MSGS.length];
  const lvl = match ? "" : `${LEVELS[r() % LEVELS.length]} `;
  const msg = tpl.replace(/\{([a-f])\}/g, () => String(r() % 100000));
  return `[${t}] ${lvl}${msg}`;
}

/**
 * Write a log of `lines` lines, every 10th one matching ERROR|WARN, padded to ~100 bytes per
 * line. Returns the number of matching lines and bytes.
 */
export async function generateLog(
  path: string,
  lines: number,
): Promise<{ matching: number; bytes: number }> {
  const r = rng(42);
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const enc = new TextEncoder();
  let matching = 0;
  let bytes = 0;
  let buf = "";
  for (let i = 0; i < lines; i++) {
    const match = i % 10 === 7;
    if (match) matching++;
    let line = logLine(i, match, r);
    if (line.length < 96) line += " " + "k=v ".repeat((96 - line.length) >> 2);
    buf += line + "\n";
    if (buf.length > 1 << 20) {
      const b = enc.encode(buf);
      bytes += b.length;
      await writeFull(file, b);
      buf = "";
    }
  }
  const b = enc.encode(buf);
  bytes += b.length;
  await writeFull(file, b);
  file.close();
  return { matching, bytes };
}

async function writeFull(file: Deno.FsFile, b: Uint8Array): Promise<void> {
  let off = 0;
  while (off < b.length) off += await file.write(b.subarray(off));
}

/** Run a shell command; return wall ms and stdout text. */
export async function timeShell(
  script: string,
  env: Record<string, string> = {},
): Promise<{ ms: number; stdout: string; code: number; stderr: string }> {
  const t0 = performance.now();
  const out = await new Deno.Command("bash", {
    args: ["-c", script],
    env,
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const ms = performance.now() - t0;
  const dec = new TextDecoder();
  return { ms, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr), code: out.code };
}

/** Quote an argument for bash. */
export function sh(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

const CLK_TCK = 100;

/**
 * CPU seconds (user+system, plus reaped children) of a process. /proc/PID/stat counts in clock
 * ticks, truncated per process: 50 `tail -F` that use a few ms each showed 0. So the live
 * threads' run time comes from their schedstat (nanoseconds); the ticks count only when they
 * say more (threads that ended, reaped children).
 */
export function procCpuSeconds(pid: number): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields after ")" start at index 3 (state); utime=14, stime=15, cutime=16, cstime=17
    const v = (n: number) => Number(f[n - 3]);
    const ticks = (v(14) + v(15) + v(16) + v(17)) / CLK_TCK;
    let ns = 0;
    for (const t of Deno.readDirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(Deno.readTextFileSync(`/proc/${pid}/task/${t.name}/schedstat`).split(" ")[0]);
      } catch { /* the thread ended meanwhile */ }
    }
    return Math.max(ticks, ns / 1e9);
  } catch {
    return NaN;
  }
}

/** Resident set size in MB of a process (VmRSS), or NaN. */
export function procRssMb(pid: number): number {
  try {
    const s = Deno.readTextFileSync(`/proc/${pid}/status`);
    const m = s.match(/VmRSS:\s+(\d+) kB/);
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Peak RSS in MB of a process (VmHWM), or NaN. */
export function procPeakRssMb(pid: number): number {
  try {
    const s = Deno.readTextFileSync(`/proc/${pid}/status`);
    const m = s.match(/VmHWM:\s+(\d+) kB/);
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Sleep. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Wait for a condition with a deadline. */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  ms: number,
  step = 20,
): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await sleep(step);
  }
  return await cond();
}

/** A spawned process in its own process group, with its stdout read line by line. */
export interface Spawned {
  pid: number;
  /** Stop the whole group (pipelines included) and wait for it. */
  stop(): Promise<void>;
  status: Promise<Deno.CommandStatus>;
}

/**
 * Spawn argv in a new session (setsid) so that {@link Spawned.stop} ends every process of a
 * pipeline, and call `onLine(line, receivedAtMs)` for each stdout line (when given).
 */
export function spawnGroup(
  argv: string[],
  o: {
    env?: Record<string, string>;
    onLine?: (line: string, at: number) => void;
    stdout?: "null" | "piped";
  } = {},
): Spawned {
  const child = new Deno.Command("setsid", {
    args: argv,
    env: o.env,
    cwd: ROOT,
    stdin: "null",
    stdout: o.onLine ? "piped" : (o.stdout ?? "null"),
    stderr: "null",
  }).spawn();
  let reading: Promise<void> = Promise.resolve();
  if (o.onLine) {
    const onLine = o.onLine;
    reading = (async () => {
      const dec = new TextDecoder();
      let rest = "";
      for await (const chunk of child.stdout) {
        const at = performance.timeOrigin + performance.now();
        const text = rest + dec.decode(chunk, { stream: true });
        let pos = 0;
        let nl = text.indexOf("\n");
        while (nl !== -1) {
          onLine(text.slice(pos, nl), at);
          pos = nl + 1;
          nl = text.indexOf("\n", pos);
        }
        rest = text.slice(pos);
      }
    })().catch(() => {});
  }
  return {
    pid: child.pid,
    status: child.status,
    async stop() {
      try {
        Deno.kill(-child.pid, "SIGTERM");
      } catch { /* gone already */ }
      await child.status;
      await reading;
    },
  };
}

/**
 * Run a following s9s command once until its first output line (or its exit, or 30 s), then stop
 * it: the processes a case measures start as a user's second run does, with Deno's compiled-code
 * cache for the modules they load already written (the first run after a build compiles them).
 */
export async function warmUp(argv: string[], env?: Record<string, string>): Promise<void> {
  let seen = false;
  const proc = spawnGroup(argv, { env, onLine: () => (seen = true) });
  let ended = false;
  proc.status.then(() => (ended = true));
  await waitFor(() => seen || ended, 30_000);
  await proc.stop();
}
