/**
 * `s9s stream` end to end against the real single-node Slurm started by scripts/slurm_cluster.sh
 * (`eval "$(bash scripts/slurm_cluster.sh env)"`). Skipped unless S9S_TEST_SLURM=1.
 *
 * Jobs never rely on timing: each waits for a "go" file the test creates once it has seen what
 * it needs. Independent cases of one test run concurrently to keep the file quick.
 */
import { deepStrictEqual } from "node:assert";
import { assert, assertMatch, assertStringIncludes, waitFor } from "../_helpers/assert.ts";
import { testUserArgs, testUserDenoDir } from "../_helpers/test_user.ts";
import { boundedAppend } from "../_helpers/cli.ts";
import { shOut } from "../_helpers/command.ts";
import { type JobScratch, jobScratch } from "../_helpers/temp_dir.ts";

const env = (k: string) => Deno.env.get(k) ?? "";
const ENABLED = env("S9S_TEST_SLURM") === "1";
const SOCKET = env("S9S_TEST_SLURMRESTD_SOCKET") || "/run/s9s-slurmrestd/slurmrestd.sock";
const URL_ = env("S9S_TEST_SLURMRESTD_URL") || "http://127.0.0.1:6820";
const ROOT = new URL("../..", import.meta.url).pathname;
const MAIN = `${ROOT}main.ts`;
const WAIT = { timeout: 45_000, interval: 100 };
/** stdout kept per s9s (the first 8 MB: whole JSON lines, far more than any case reads). */
const MAX_KEPT_OUTPUT = 8 << 20;

interface Event {
  job_id: string;
  type: string;
  content: string;
  line_num: number;
  state?: string;
}

/** A running `s9s` whose output is collected as it comes. */
class Cli {
  out = "";
  err = "";
  readonly status: Promise<Deno.CommandStatus>;
  #child: Deno.ChildProcess;

  /** `asUser`: runuser's arguments from {@link testUserArgs}, which run s9s as the test user. */
  constructor(readonly args: string[], options: { home: string; asUser?: string[] }) {
    const vars: Record<string, string> = { NO_COLOR: "1", S9S_HOME: options.home };
    const cmd = options.asUser
      ? new Deno.Command("runuser", {
        args: options.asUser,
        cwd: options.home,
        stdout: "piped",
        stderr: "piped",
      })
      : new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", MAIN, ...args],
        env: vars,
        cwd: options.home,
        stdout: "piped",
        stderr: "piped",
      });
    this.#child = cmd.spawn();
    const pump = async (r: ReadableStream<Uint8Array>, add: (s: string) => void) => {
      for await (const c of r.pipeThrough(new TextDecoderStream())) add(c);
    };
    // Bounded: a runaway job must not take `deno test` down for memory.
    const outDone = pump(this.#child.stdout, (c) => {
      if (this.out.length < MAX_KEPT_OUTPUT) this.out += c;
    });
    const errDone = pump(this.#child.stderr, (c) => (this.err = boundedAppend(this.err, c)));
    this.status = Promise.all([outDone, errDone, this.#child.status]).then(([, , st]) => st);
  }

  /** JSON events printed so far. */
  get events(): Event[] {
    return this.out.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
  }

  lines(jobId?: string, type?: string): Event[] {
    return this.events.filter((e) =>
      e.type !== "status" && (!jobId || e.job_id === jobId) && (!type || e.type === type)
    );
  }

  /** Wait for the process to exit by itself; kill it and fail after the deadline. */
  async exit(timeout = WAIT.timeout): Promise<number> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<"timeout">((
      r,
    ) => (timer = setTimeout(() => r("timeout"), timeout)));
    const r = await Promise.race([this.status, timedOut]);
    clearTimeout(timer);
    if (r === "timeout") {
      this.kill();
      await this.status;
      throw new Error(
        `s9s ${
          this.args.join(" ")
        } did not exit within ${timeout} ms\nstdout:\n${this.out}\nstderr:\n${this.err}`,
      );
    }
    return r.code;
  }

  /** Wait until `cond` holds for this process's output; fail showing that output. */
  async until(cond: (c: Cli) => unknown, what: string): Promise<void> {
    try {
      await waitFor(() => cond(this), { ...WAIT, what });
    } catch (err) {
      throw new Error(
        `${(err as Error).message}\ns9s ${this.args.join(" ")}\nstdout:\n${
          this.out.slice(-3000)
        }\nstderr:\n${this.err.slice(-3000)}`,
      );
    }
  }

  kill(): void {
    try {
      this.#child.kill("SIGKILL");
    } catch { /* gone */ }
  }
}

/** Jobs submitted by a test, cancelled at its end whatever happened. */
class Jobs {
  ids: string[] = [];
  async submit(args: string[]): Promise<string> {
    const r = await new Deno.Command("sbatch", {
      args: ["--parsable", ...args],
      stdout: "piped",
      stderr: "piped",
    })
      .output();
    const text = new TextDecoder().decode(r.stdout).trim();
    if (!r.success) throw new Error(`sbatch failed: ${new TextDecoder().decode(r.stderr)}`);
    const id = text.split(";")[0];
    this.ids.push(id);
    return id;
  }
  async cancel(): Promise<void> {
    if (this.ids.length) await shOut(["scancel", ...this.ids]).catch(() => {});
  }
}

async function jobState(id: string): Promise<string> {
  const out = await shOut(["scontrol", "show", "job", "-o", id]);
  return /JobState=(\S+)/.exec(out)?.[1] ?? "";
}

const scratchDirs: string[] = [];

/** Remove the scratch directories of the cases run so far. */
async function removeScratch(): Promise<void> {
  const dirs = scratchDirs.splice(0);
  await Promise.all(dirs.map((d) => Deno.remove(d, { recursive: true }).catch(() => {})));
}

/** A scratch directory for one case (removed by cleanScratch). */
async function scratch(name: string): Promise<JobScratch> {
  const s = await jobScratch(`s9s-it-stream-${name}-`);
  scratchDirs.push(s.dir);
  return s;
}

/** Write a config file; `cluster.poll_interval` short so tests see state changes soon. */
async function config(dir: string, name: string, streaming: string, poll = "1s"): Promise<string> {
  const path = `${dir}/${name}.yaml`;
  await Deno.writeTextFile(
    path,
    `cluster:\n  poll_interval: ${poll}\nstreaming:\n${streaming || "  idle_warning: 30s\n"}`,
  );
  return path;
}

/** Per stream: the contents in order, after checking line_num runs 1..N with no gap. */
function contentsByStream(events: Event[]): Record<string, string[]> {
  const by: Record<string, Event[]> = {};
  for (const e of events) if (e.type !== "status") (by[`${e.job_id}:${e.type}`] ??= []).push(e);
  const out: Record<string, string[]> = {};
  for (const [k, evs] of Object.entries(by)) {
    deepStrictEqual(evs.map((e) => e.line_num), evs.map((_, i) => i + 1), `line_num of ${k}`);
    out[k] = evs.map((e) => e.content);
  }
  return out;
}

/** Run one case, saying how long it took (the file should stay quick). */
async function timed(name: string, fn: () => Promise<void>): Promise<void> {
  const t0 = Date.now();
  try {
    await fn();
  } catch (err) {
    throw new Error(`case "${name}": ${(err as Error).message}`, { cause: err });
  } finally {
    console.error(`  case ${name}: ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  }
}

function noStack(text: string): void {
  assert(!/^\s+at /m.test(text), `unexpected stack trace:\n${text}`);
}

Deno.test({
  name:
    "s9s stream follows jobs through their lifecycle on a real Slurm (files, default output, held, exit codes, cancel, REST)",
  ignore: !ENABLED,
  async fn() {
    const jobs = new Jobs();
    const clis: Cli[] = [];
    const cli = (args: string[], home: string) => {
      const c = new Cli(args, { home });
      clis.push(c);
      return c;
    };
    try {
      await Promise.all([
        // -o/-e with %x-%j, followed by the command backend and slurmrestd (socket and JWT URL)
        timed("sep", async () => {
          const s = await scratch("sep");
          const id = await jobs.submit([
            "-J",
            "s9s-sep",
            "-D",
            s.dir,
            "-o",
            `${s.dir}/%x-%j.out`,
            "-e",
            `${s.dir}/%x-%j.err`,
            // Many lines right before exit and an unterminated last line: the drain must get all.
            "--wrap",
            `echo o1; echo e1 >&2; ${s.wait()}; seq 2 3000 | sed 's/^/o/'; seq 2 500 | sed 's/^/e/' >&2; printf o3001`,
          ]);
          const sock = await config(s.dir, "sock", `  slurm_api:\n    socket: ${SOCKET}\n`);
          const url = await config(s.dir, "url", `  slurm_api:\n    url: ${URL_}\n`);
          const base = ["stream", "--job", id, "--output-format", "json"];
          const runs = [
            cli(["--cluster-api", "cli", ...base], s.home),
            cli(["--cluster-api", "rest", "--config", sock, ...base], s.home),
            cli(["--cluster-api", "rest", "--config", url, ...base], s.home),
          ];
          const text = cli(["stream", "--job", id], s.home);
          // Streaming while the job runs, from both files.
          await Promise.all(
            runs.map((c) =>
              c.until(
                () => c.lines(id, "stdout").length >= 1 && c.lines(id, "stderr").length >= 1,
                "first lines",
              )
            ),
          );
          await s.go();
          const codes = await Promise.all(runs.map((c) => c.exit()));
          deepStrictEqual(
            codes,
            [0, 0, 0],
            `exit codes; stderr: ${runs.map((c) => c.err).join("\n")}`,
          );
          const expected = {
            [`${id}:stdout`]: Array.from({ length: 3001 }, (_, i) => `o${i + 1}`),
            [`${id}:stderr`]: Array.from({ length: 500 }, (_, i) => `e${i + 1}`),
          };
          for (const c of runs) {
            const got = contentsByStream(c.events);
            deepStrictEqual(
              got[`${id}:stdout`],
              expected[`${id}:stdout`],
              `stdout via ${c.args[1]}`,
            );
            deepStrictEqual(
              got[`${id}:stderr`],
              expected[`${id}:stderr`],
              `stderr via ${c.args[1]}`,
            );
            deepStrictEqual(Object.keys(got).sort(), Object.keys(expected).sort());
          }
          // Text: two files, so every line is prefixed from the first one on.
          deepStrictEqual(await text.exit(), 0, text.err);
          const textLines = text.out.split("\n").slice(0, -1);
          deepStrictEqual(textLines.length, 3501);
          deepStrictEqual(
            textLines.filter((l) => !/^\[\d+:(stdout|stderr)\] [oe]\d+$/.test(l)),
            [],
          );
          deepStrictEqual(textLines.filter((l) => l.startsWith(`[${id}:stderr] `)).length, 500);
          // --explain: every candidate, and the one chosen.
          const ex = cli(["stream", "--job", id, "--explain"], s.home);
          deepStrictEqual(await ex.exit(), 0);
          assertStringIncludes(
            ex.out,
            `found   ${s.dir}/s9s-sep-${id}.out  [StdOut] — chosen: the job's own output file`,
          );
          assertStringIncludes(ex.out, `found   ${s.dir}/s9s-sep-${id}.err  [StdErr] — chosen`);
          assertStringIncludes(ex.out, `=> ${s.dir}/s9s-sep-${id}.err`);
        }),
        // Default output: stdout and stderr both in slurm-%j.out, read once as one stream.
        timed("default", async () => {
          const s = await scratch("default");
          const id = await jobs.submit([
            "-D",
            s.dir,
            "--wrap",
            `echo x; echo y >&2; ${s.wait()}; echo x2; echo y2 >&2`,
          ]);
          const c = cli(["stream", "--job", id, "--output-format", "json", "--events"], s.home);
          await c.until(() => c.lines().length >= 2, "default output lines");
          await s.go();
          deepStrictEqual(await c.exit(), 0, c.err);
          const got = contentsByStream(c.events);
          deepStrictEqual(Object.keys(got), [`${id}:stdout`]);
          deepStrictEqual([...got[`${id}:stdout`]].sort(), ["x", "x2", "y", "y2"]);
          assert(
            c.events.some((e) =>
              e.type === "status" &&
              e.content.includes(
                `stderr goes to the same file as stdout (${s.dir}/slurm-${id}.out)`,
              )
            ),
            c.out,
          );
        }),
        // Held (pending) job: a status line in text mode, status events in JSON only with --events.
        timed("held", async () => {
          const s = await scratch("held");
          const id = await jobs.submit([
            "--hold",
            "-D",
            s.dir,
            "-o",
            `${s.dir}/held-%j.out`,
            "--wrap",
            "echo h1; echo h2 >&2",
          ]);
          const text = cli(["stream", "--job", id], s.home);
          const plain = cli(["stream", "--job", id, "--output-format", "json"], s.home);
          const evented = cli(
            ["stream", "--job", id, "--output-format", "json", "--events"],
            s.home,
          );
          await text.until(
            (c) => /job \d+ is PENDING \(JobHeldUser\); waiting for it to start/.test(c.err),
            "pending line",
          );
          await evented.until(
            (c) => c.events.some((e) => e.type === "status" && e.state === "pending"),
            "pending event",
          );
          deepStrictEqual(await jobState(id), "PENDING");
          await shOut(["scontrol", "release", id]);
          deepStrictEqual([await text.exit(), await plain.exit(), await evented.exit()], [0, 0, 0]);
          deepStrictEqual(text.out, "h1\nh2\n");
          deepStrictEqual(
            plain.events.filter((e) => e.type === "status"),
            [],
            "no status events without --events",
          );
          deepStrictEqual(plain.lines().map((e) => e.content), ["h1", "h2"]);
          deepStrictEqual(evented.lines().map((e) => e.content), ["h1", "h2"]);
          assert(
            evented.events.some((e) => e.type === "status" && /COMPLETED/.test(e.content)),
            "COMPLETED event",
          );
        }),
        // --exit-code: the job's own code; FAILED and CANCELLED end the stream cleanly.
        timed("exit", async () => {
          const s = await scratch("exit");
          const failed = await jobs.submit([
            "-D",
            s.dir,
            "--wrap",
            `echo before; ${s.wait()}; echo bye; exit 3`,
          ]);
          const cancelled = await jobs.submit([
            "-D",
            s.dir,
            "--wrap",
            `echo started; ${s.wait("never")}`,
          ]);
          const f = cli(["stream", "--job", failed, "--exit-code"], s.home);
          const k = cli(["stream", "--job", cancelled, "--exit-code"], s.home);
          await f.until(() => f.out.includes("before"), "first line");
          await k.until(() => k.out.includes("started"), "first line");
          await s.go();
          await shOut(["scancel", cancelled]);
          deepStrictEqual(await f.exit(), 3, f.err);
          deepStrictEqual(f.out, "before\nbye\n");
          assertMatch(f.err, /job \d+ is FAILED/);
          // Cancelled: the stream ends by itself; --exit-code gives 128+SIGTERM.
          deepStrictEqual(await k.exit(), 128 + 15, k.err);
          assertMatch(k.err, /job \d+ is CANCELLED/);
          // Drained to the end: slurmstepd's own note in the (merged) output file comes last.
          assertMatch(
            k.out,
            /^started\nslurmstepd\S*: error: \*\*\* JOB \d+ ON \S+ CANCELLED AT .*\n$/,
          );
          noStack(f.err + k.err);
        }),
      ]);
    } finally {
      clis.forEach((c) => c.kill());
      await Promise.all(clis.map((c) => c.status));
      await jobs.cancel();
      await removeScratch();
    }
  },
});

Deno.test({
  name: "s9s stream follows array tasks, requeued jobs and silent jobs on a real Slurm",
  ignore: !ENABLED,
  async fn() {
    const jobs = new Jobs();
    const clis: Cli[] = [];
    const cli = (args: string[], home: string, cfg?: string) => {
      const c = new Cli(cfg ? ["--config", cfg, ...args] : args, { home });
      clis.push(c);
      return c;
    };
    try {
      await Promise.all([
        // Array of 3 tasks, 2 at a time: the third is picked up when it starts.
        timed("array", async () => {
          const s = await scratch("array");
          const cfg = await config(s.dir, "c", "");
          const id = await jobs.submit([
            "--array=1-3%2",
            "-D",
            s.dir,
            "-o",
            `${s.dir}/arr-%A_%a.out`,
            "--wrap",
            `echo task $SLURM_ARRAY_TASK_ID; ${s.wait()}; echo done $SLURM_ARRAY_TASK_ID`,
          ]);
          const all = cli(["stream", "--job", id, "--output-format", "json"], s.home, cfg);
          const text = cli(["stream", "--job", id], s.home, cfg);
          const one = cli(["stream", "--job", `${id}_2`, "--output-format", "json"], s.home, cfg);
          await all.until(
            (c) => c.lines(`${id}_1`).length && c.lines(`${id}_2`).length,
            "tasks 1 and 2",
          );
          await one.until((c) => c.lines().length, "task 2");
          deepStrictEqual(all.lines(`${id}_3`), [], "task 3 waits for a free slot");
          await s.go();
          deepStrictEqual(
            [await all.exit(), await text.exit(), await one.exit()],
            [0, 0, 0],
            all.err + text.err + one.err,
          );
          const got = contentsByStream(all.events);
          deepStrictEqual(Object.keys(got).sort(), [
            `${id}_1:stdout`,
            `${id}_2:stdout`,
            `${id}_3:stdout`,
          ]);
          for (const n of [1, 2, 3]) {
            deepStrictEqual(got[`${id}_${n}:stdout`], [`task ${n}`, `done ${n}`]);
          }
          for (const n of [1, 2, 3]) {
            assertStringIncludes(text.out, `[${id}_${n}:stdout] task ${n}\n`);
            assertStringIncludes(text.out, `[${id}_${n}:stdout] done ${n}\n`);
          }
          deepStrictEqual(contentsByStream(one.events), {
            [`${id}_2:stdout`]: ["task 2", "done 2"],
          });
        }),
        // A held array cancelled before any task ran: the stream ends instead of waiting forever.
        timed("array-cancelled", async () => {
          const s = await scratch("array-cancelled");
          const cfg = await config(s.dir, "c", "");
          const id = await jobs.submit([
            "--hold",
            "--array=1-3",
            "-D",
            s.dir,
            "--wrap",
            "echo never",
          ]);
          const c = cli(["stream", "--job", id, "--exit-code"], s.home, cfg);
          await c.until(() => /is PENDING \(JobHeldUser\)/.test(c.err), "pending line");
          await shOut(["scancel", id]);
          deepStrictEqual(await c.exit(), 1, c.err);
          assertMatch(c.err, new RegExp(`job ${id}_\\[1-3\\] is CANCELLED`));
          deepStrictEqual(c.out, "");
        }),
        // Requeue: the second run rewrites the file with the same lines.
        timed("requeue", async () => {
          const s = await scratch("requeue");
          const cfg = await config(s.dir, "c", "");
          const id = await jobs.submit([
            "--requeue",
            "-D",
            s.dir,
            "-o",
            `${s.dir}/rq-%j.out`,
            "--wrap",
            `echo a; echo b; echo c; if [ "\${SLURM_RESTART_COUNT:-0}" = 0 ]; then ${
              s.wait("never")
            }; fi; ${s.wait()}; echo d`,
          ]);
          const c = cli(
            ["stream", "--job", id, "--output-format", "json", "--events"],
            s.home,
            cfg,
          );
          await c.until(() => c.lines().length >= 3, "first run's lines");
          await shOut(["scontrol", "requeue", id]);
          await c.until(
            () => c.events.some((e) => e.type === "status" && /requeued/.test(e.content)),
            "requeue event",
          );
          await c.until(
            () => c.lines().filter((e) => e.content === "c").length >= 2,
            "second run's lines",
          );
          await s.go();
          deepStrictEqual(await c.exit(), 0, c.err);
          const lines = c.lines();
          deepStrictEqual(
            lines.map((e) => e.line_num),
            lines.map((_, i) => i + 1),
            "line_num keeps counting up",
          );
          // The first run may end with slurmstepd's "CANCELLED … DUE TO JOB REQUEUE" line.
          deepStrictEqual(lines.map((e) => e.content).filter((l) => !/slurmstepd/.test(l)), [
            "a",
            "b",
            "c",
            "a",
            "b",
            "c",
            "d",
          ]);
          assert(
            c.events.some((e) => e.type === "status" && /rewritten/.test(e.content)),
            "a status event says the output was rewritten",
          );
        }),
        // Running but silent: the buffering hint.
        timed("idle", async () => {
          const s = await scratch("idle");
          const cfg = await config(s.dir, "c", "  idle_warning: 2s\n", "500ms");
          const id = await jobs.submit(["-D", s.dir, "--wrap", `${s.wait()}; echo finally`]);
          const c = cli(["stream", "--job", id], s.home, cfg);
          await c.until(() => /running but has written nothing/.test(c.err), "idle warning");
          assertStringIncludes(c.err, "python -u");
          assertStringIncludes(c.err, "stdbuf -oL");
          assertStringIncludes(c.err, "srun --unbuffered");
          await s.go();
          deepStrictEqual(await c.exit(), 0, c.err);
          deepStrictEqual(c.out, "finally\n");
        }),
      ]);
    } finally {
      clis.forEach((c) => c.kill());
      await Promise.all(clis.map((c) => c.status));
      await jobs.cancel();
      await removeScratch();
    }
  },
});

Deno.test({
  name:
    "s9s stream reports unknown jobs, unreadable files and falls back to patterns for forgotten jobs",
  ignore: !ENABLED,
  async fn() {
    const jobs = new Jobs();
    const clis: Cli[] = [];
    const s = await scratch("errors");
    const cli = (args: string[], options: { asUser?: string[] } = {}) => {
      const c = new Cli(args, { home: s.home, ...options });
      clis.push(c);
      return c;
    };
    try {
      await Promise.all([
        // An id Slurm never had.
        timed("unknown", async () => {
          const c = cli(["stream", "--job", "999999001"]);
          deepStrictEqual(await c.exit(), 2, c.err);
          assertMatch(c.err, /^error: job "999999001" was not found/m);
          assertMatch(c.err, /^hint: /m);
          noStack(c.err);
          deepStrictEqual(c.out, "");
        }),
        // Forgotten by slurmctld (or never known): the configured pattern finds its file.
        timed("forgotten", async () => {
          const logs = `${s.dir}/logs`;
          await Deno.mkdir(logs);
          await Deno.writeTextFile(`${logs}/job-999999002.log`, "first\nsecond\n");
          const cfg = await config(
            s.dir,
            "forgotten",
            `  file_paths:\n    base_dir: ${logs}\n    stdout_pattern: job-%j.log\n    stderr_pattern: job-%j.err\n`,
          );
          const c = cli([
            "--config",
            cfg,
            "stream",
            "--job",
            "999999002",
            "--output-format",
            "json",
            "--events",
          ]);
          deepStrictEqual(await c.exit(), 0, c.err);
          deepStrictEqual(contentsByStream(c.events), { "999999002:stdout": ["first", "second"] });
          assert(
            c.events.some((e) => e.type === "status" && /not known to Slurm/.test(e.content)),
            c.out,
          );
          const ex = cli(["--config", cfg, "stream", "--job", "999999002", "--explain"]);
          deepStrictEqual(await ex.exit(), 0, ex.err);
          assertStringIncludes(ex.out, "not known to the cluster");
          assertStringIncludes(
            ex.out,
            `found   ${logs}/job-999999002.log  [file_paths.stdout_pattern] — chosen: configured pattern`,
          );
          assertStringIncludes(
            ex.out,
            `missing ${logs}/job-999999002.err  [file_paths.stderr_pattern]`,
          );
        }),
        // Another user's file this user may not read.
        timed("permission", async () => {
          const denoDir = await testUserDenoDir(s.dir, [s.home]);
          const out = `${s.dir}/private-JOB.out`;
          const id = await jobs.submit([
            "-D",
            s.dir,
            "-o",
            `${s.dir}/private-%j.out`,
            "--wrap",
            `chmod 600 ${s.dir}/private-$SLURM_JOB_ID.out; echo secret; ${s.wait()}`,
          ]);
          const path = out.replace("JOB", id);
          await waitFor(
            async () =>
              (await Deno.stat(path)).mode! & 0o077
                ? false
                : (await Deno.readTextFile(path)).includes("secret"),
            { ...WAIT, what: "private file" },
          );
          const args = ["stream", "--job", id];
          const vars = { NO_COLOR: "1", S9S_HOME: s.home, HOME: s.home, DENO_DIR: denoDir };
          const c = cli(args, { asUser: await testUserArgs(vars, args) });
          deepStrictEqual(await c.exit(), 1, c.err);
          // Said once, as error and hint (not also as a `s9s:` notice first).
          assertStringIncludes(c.err, `error: permission denied reading "${path}"`);
          deepStrictEqual(c.err.split("permission denied").length, 2, c.err);
          assertMatch(c.err, /^hint: /m);
          noStack(c.err);
          await s.go();
        }),
      ]);
    } finally {
      clis.forEach((c) => c.kill());
      await Promise.all(clis.map((c) => c.status));
      await jobs.cancel();
      await removeScratch();
    }
  },
});
