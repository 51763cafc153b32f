/**
 * Run the real s9s CLI (from source) as a child process and watch its output.
 * @module
 */
import { waitFor } from "./assert.ts";

export const ROOT = new URL("../../", import.meta.url).pathname;
export const MAIN = `${ROOT}main.ts`;

/**
 * How tests start s9s from source. `--quiet` keeps Deno's own progress lines ("Download …") out
 * of the stderr the tests compare: on a fresh cache a `deno run` started from inside `deno test`
 * fetched npm registry metadata again each time (not seen when the parent is `deno run`), and
 * those lines are Deno's, not s9s's.
 */
const RUN = ["run", "--quiet", "-A", "--unsafe-proto", MAIN];

/** The whole command line of `s9s ARGS…` as tests start it, for a shell or another launcher. */
export function s9sArgv(...args: string[]): string[] {
  return [Deno.execPath(), ...RUN, ...args];
}

/** The V8 flags of deno.json's `s9s` task, as one string (for processes not started by it). */
export function taskV8Flags(): string {
  const deno = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
  const flag = (deno.tasks.s9s as string).split(/\s+/).find((w) => w.startsWith("--v8-flags="));
  if (!flag) throw new Error("the s9s task in deno.json sets no --v8-flags");
  return flag.slice("--v8-flags=".length);
}

/**
 * Deno's cache folder as the running Deno uses it (DENO_DIR, else $XDG_CACHE_HOME/deno, else
 * ~/.cache/deno): for children that get another HOME or run as another user.
 */
export function denoCacheDir(): string {
  const env = (k: string) => Deno.env.get(k) || undefined;
  return env("DENO_DIR") ??
    `${env("XDG_CACHE_HOME") ?? `${env("HOME") ?? "/root"}/.cache`}/deno`;
}

/**
 * Environment for a test run: no colors, a private S9S_HOME (config, history, debug log).
 * HOME stays as it is so Deno finds its package cache.
 */
export function testEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return { NO_COLOR: "1", S9S_HOME: home, ...extra };
}

/** Run s9s to completion. */
export async function runS9s(
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string; stdin?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const cmd = new Deno.Command(Deno.execPath(), {
    args: [...RUN, ...args],
    env: opts.env,
    cwd: opts.cwd ?? ROOT,
    stdin: opts.stdin !== undefined ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  });
  const child = cmd.spawn();
  if (opts.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(opts.stdin));
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/**
 * At most this many stdout lines are kept per process: a runaway (a job whose wait loop spins)
 * once wrote 1.4 M lines in seconds, and keeping them all got `deno test` killed for memory,
 * taking every later test with it. Lines past it are counted in `dropped`.
 */
export const MAX_KEPT_LINES = 200_000;

/** stderr is kept up to this many characters: its start and its end, with a mark between. */
const MAX_STDERR = 1 << 20;

/** Append `text` to `kept`, keeping its first and last MAX_STDERR/2 characters. */
export function boundedAppend(kept: string, text: string, max = MAX_STDERR): string {
  const all = kept + text;
  if (all.length <= max) return all;
  const mark = "\n[… s9s test helper: stderr cut here …]\n";
  const head = kept.includes(mark) ? kept.slice(0, kept.indexOf(mark)) : all.slice(0, max / 2);
  return head + mark + all.slice(-(max / 2));
}

/** A running s9s whose stdout lines are collected as they arrive (up to MAX_KEPT_LINES). */
export class S9sProcess {
  readonly lines: string[] = [];
  /** stdout lines not kept (past MAX_KEPT_LINES). */
  dropped = 0;
  stderr = "";
  /** stdout ended without a newline (its last line in {@link lines} is that rest). */
  unterminated = false;
  #child: Deno.ChildProcess;
  #done: Promise<Deno.CommandStatus>;
  #pumps: Promise<unknown>[] = [];

  /**
   * `s9s ARGS…` as tests start it; with `argv`, that whole command line instead (s9s started
   * through a shell or as another user), its output collected the same way.
   */
  constructor(
    args: string[],
    opts: { env?: Record<string, string>; cwd?: string; argv?: string[] } = {},
  ) {
    const [cmd, ...rest] = opts.argv ?? s9sArgv(...args);
    this.#child = new Deno.Command(cmd, {
      args: rest,
      env: opts.env,
      cwd: opts.cwd ?? ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#pumps.push(
      this.#pump(this.#child.stdout, (l) => {
        if (this.lines.length < MAX_KEPT_LINES) this.lines.push(l);
        else this.dropped++;
      }).then((cut) => void (this.unterminated = cut)),
    );
    this.#pumps.push(
      this.#pump(this.#child.stderr, (l) => (this.stderr = boundedAppend(this.stderr, l + "\n"))),
    );
    this.#done = this.#child.status;
  }

  /** Read `stream` line by line; whether it ended with an unterminated rest (passed on too). */
  async #pump(stream: ReadableStream<Uint8Array>, onLine: (l: string) => void): Promise<boolean> {
    const dec = new TextDecoder();
    let buf = "";
    for await (const chunk of stream) {
      buf += dec.decode(chunk, { stream: true });
      let nl;
      while ((nl = buf.indexOf("\n")) !== -1) {
        onLine(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    }
    if (buf) onLine(buf);
    return buf !== "";
  }

  /** Parsed JSON lines so far. */
  json<T = Record<string, unknown>>(): T[] {
    return this.lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as T);
  }

  /** Wait until at least `n` stdout lines arrived. */
  waitForLines(n: number, timeout = 20_000): Promise<boolean> {
    return waitFor(() => this.lines.length + this.dropped >= n, {
      timeout,
      what: `${n} lines (have ${this.lines.length + this.dropped}); stderr: ${
        this.stderr.slice(-500)
      }`,
    });
  }

  /** Wait until stderr contains `text`. */
  waitForStderr(text: string, timeout = 20_000): Promise<boolean> {
    return waitFor(() => this.stderr.includes(text), {
      timeout,
      what: `stderr to contain ${JSON.stringify(text)}: ${this.stderr.slice(-500)}`,
    });
  }

  /** Send a signal and wait for the exit. */
  async stop(signal: Deno.Signal = "SIGTERM"): Promise<Deno.CommandStatus> {
    try {
      this.#child.kill(signal);
    } catch { /* already gone */ }
    return await this.finished();
  }

  /** Wait for the process to exit by itself; stdout/stderr fully read. */
  async finished(): Promise<Deno.CommandStatus> {
    const st = await this.#done;
    await Promise.all(this.#pumps);
    return st;
  }

  get pid(): number {
    return this.#child.pid;
  }
}

/** Options of {@link followFile}. */
export interface FollowOptions {
  /** A config file for `--config`. */
  config?: string;
  /** Also emit status events (`--events`). */
  events?: boolean;
  /** More flags after the fixed ones. */
  extra?: string[];
  /** More environment variables. */
  env?: Record<string, string>;
}

/**
 * The follow-a-file setup many tests share: `s9s stream --path PATH --type stdout -o json` in a
 * private S9S_HOME, lines collected as they arrive.
 */
export function followFile(path: string, home: string, o: FollowOptions = {}): S9sProcess {
  return new S9sProcess([
    "stream",
    "--path",
    path,
    "--type",
    "stdout",
    "--output-format",
    "json",
    ...(o.events ? ["--events"] : []),
    ...(o.config ? ["--config", o.config] : []),
    ...(o.extra ?? []),
  ], { env: testEnv(home, o.env) });
}
