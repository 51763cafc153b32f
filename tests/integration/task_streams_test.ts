/**
 * Tasks as separate streams on the real single-node Slurm (it has 2 CPUs, so a 2-task step
 * fits): per-task files from `srun -o out-%j-%t.txt` followed with `--path 'out-%j-%t.txt'`, and
 * a step's interleaved sattach output split with `--tasks` / `--task 0`. Exact, line for line.
 * Skipped unless S9S_TEST_SLURM=1. The tasks wait for a "go" file; the test creates it once s9s
 * follows, so that the files grow while s9s watches (a second s9s, not waited for, may start at
 * any moment: it must print the same).
 */
import { assertEquals, assertStringIncludes, waitFor } from "../_helpers/assert.ts";
import { runS9s, S9sProcess, testEnv } from "../_helpers/cli.ts";
import { validateEvent } from "../_helpers/schema.ts";
import { shOut } from "../_helpers/command.ts";
import { jobScratch } from "../_helpers/temp_dir.ts";

const ENABLED = Deno.env.get("S9S_TEST_SLURM") === "1";
const LONG = 180_000;

async function scratch(name: string) {
  const { dir, home, go, wait } = await jobScratch(`s9s-it-tasks-${name}-`);
  await Deno.writeTextFile(`${home}/config.yaml`, "cluster:\n  poll_interval: 500ms\n");
  return {
    dir,
    env: testEnv(home),
    go: (name?: string) => go(name),
    wait: wait(),
    /** The shell snippet that waits for the file `name` (created by `go(name)`). */
    waitOn: (name: string) => wait(name),
  };
}

type Scratch = Awaited<ReturnType<typeof scratch>> & {
  /** Submit a job of `tasks` tasks (2 by default) running `wrap` in the scratch dir; its id. */
  submit: (wrap: string, tasks?: number) => Promise<string>;
};

/** Run `body` in a fresh scratch dir; the job it submitted is cancelled and the dir removed. */
async function inJobScratch(name: string, body: (s: Scratch) => Promise<void>): Promise<void> {
  const base = await scratch(name);
  let id = "";
  const submit = async (wrap: string, tasks = 2) => {
    const args = ["--parsable", "-n", String(tasks), "-D", base.dir, "-o", "/dev/null"];
    return id = (await shOut(["sbatch", ...args, "--wrap", wrap])).trim();
  };
  try {
    await body({ ...base, submit });
  } finally {
    if (id) await shOut(["scancel", id]).catch(() => {});
    await Deno.remove(base.dir, { recursive: true }).catch(() => {});
  }
}

/** Each task writes `t<rank> l<i>` for i in 1..n, after the go file appears. */
function taskScript(wait: string, n: number): string {
  return `bash -c '${wait}; for i in $(seq 1 ${n}); do echo "t$SLURM_PROCID l$i"; done'`;
}

const expected = (task: number, n: number) =>
  Array.from({ length: n }, (_, i) => `t${task} l${i + 1}`);

interface Ev {
  type: string;
  content: string;
  line_num: number;
  task?: number;
  state?: string;
}

/** Lines per task, after checking each task's line_num runs 1..N. */
function byTask(events: Ev[]): Record<string, string[]> {
  const out: Record<string, Ev[]> = {};
  for (const e of events) if (e.type === "stdout") (out[String(e.task)] ??= []).push(e);
  return Object.fromEntries(
    Object.entries(out).map(([t, evs]) => {
      assertEquals(evs.map((e) => e.line_num), evs.map((_, i) => i + 1), `line_num of task ${t}`);
      return [t, evs.map((e) => e.content)];
    }),
  );
}

Deno.test({
  name: "stream --path with %t follows each task's own file of a 2-task step, exactly, to the end",
  ignore: !ENABLED,
  async fn() {
    await inJobScratch("files", async (s) => {
      const id = await s.submit(`srun -o out-%j-%t.txt ${taskScript(s.wait, 200)}`);
      const json = new S9sProcess(
        ["stream", "--job", id, "--path", "out-%j-%t.txt", "-o", "json", "--events"],
        { env: s.env, cwd: s.dir },
      );
      // Not waited for: started at any moment of the job's life, it prints every line, prefixed.
      const text = new S9sProcess(["stream", "--job", id, "--path", "out-%j-%t.txt"], {
        env: s.env,
        cwd: s.dir,
      });
      await waitFor(() => json.json<Ev>().filter((e) => e.state === "live").length === 2, {
        timeout: LONG,
        what: `both task files followed; stderr: ${json.stderr}`,
      });
      await s.go();
      const [a, b] = await Promise.all([json.finished(), text.finished()]);
      assertEquals([a.code, b.code], [0, 0], json.stderr + text.stderr);
      assertEquals(byTask(json.json<Ev>()), { "0": expected(0, 200), "1": expected(1, 200) });
      for (const e of json.json()) assertEquals(validateEvent(e), [], JSON.stringify(e));
      // Each task's status events say whose they are, as its lines do.
      const live = json.json<Ev>().filter((e) => e.type === "status" && e.state === "live");
      assertEquals(live.map((e) => e.task).sort(), [0, 1], JSON.stringify(live));
      for (const t of [0, 1]) {
        const mine = text.lines.filter((l) => l.startsWith(`[${id} task ${t}:stdout] `));
        assertEquals(mine, expected(t, 200).map((l) => `[${id} task ${t}:stdout] ${l}`));
      }
      assertEquals(text.lines.length, 400);
      assertStringIncludes(text.stderr, `s9s: stream ${id} task 1:stdout ended after 200 lines\n`);
      const ex = await runS9s(["stream", "--job", id, "--path", "out-%j-%t.txt", "--explain"], {
        env: s.env,
        cwd: s.dir,
      });
      assertStringIncludes(
        ex.stdout,
        [
          "  stdout: one file per task or node",
          "    out-%j-%t.txt: 2 file(s), for 2 task(s) on vm",
          `    task 0: found   ${s.dir}/out-${id}-0.txt`,
          `    task 1: found   ${s.dir}/out-${id}-1.txt`,
          "",
        ].join("\n"),
      );
    });
  },
});

Deno.test({
  name: "stream --path with %t prefixes a task's own file from its first line, even a lone task's",
  ignore: !ENABLED,
  async fn() {
    // Prefixes once depended on how many task files were being read when the first line came:
    // the first task's lines could come out plain (seen under load with 2 tasks; always so with
    // one). Started at once, while the job is pending or running, s9s reads to the end.
    await inJobScratch("lone", async (s) => {
      const id = await s.submit(`srun -o out-%j-%t.txt ${taskScript("true", 30)}`, 1);
      const r = await runS9s(["stream", "--job", id, "--path", "out-%j-%t.txt"], {
        env: s.env,
        cwd: s.dir,
      });
      assertEquals(r.code, 0, r.stderr);
      assertEquals(
        r.stdout,
        expected(0, 30).map((l) => `[${id} task 0:stdout] ${l}\n`).join(""),
        r.stderr,
      );
      assertStringIncludes(r.stderr, `s9s: stream ${id} task 0:stdout ended after 30 lines\n`);
    });
  },
});

Deno.test({
  name: "stream --path with %t counts the tasks of the job's step (srun -n 1 in a 2-task job)",
  ignore: !ENABLED,
  async fn() {
    await inJobScratch("step", async (s) => {
      // The step waits for "go" (s9s first counts the job's 2 tasks), its task for "go2".
      const step = `srun -n 1 -o out-%j-%t.txt ${taskScript(s.waitOn("go2"), 20)}`;
      const id = await s.submit(`${s.waitOn("go")}; ${step}`);
      const args = ["stream", "--job", id, "--path", "out-%j-%t.txt", "-o", "json", "--events"];
      const before = new S9sProcess(args, { env: s.env, cwd: s.dir });
      const contents = (p: S9sProcess) => p.json<Ev>().map((e) => e.content);
      await waitFor(
        () => contents(before).includes(`waiting for "${s.dir}/out-${id}-1.txt" to appear`),
        { timeout: LONG, what: `task 1's file awaited; stderr: ${before.stderr}` },
      );
      await s.go("go");
      const gone =
        `stream ${id} task 1:stdout ended: the job's step runs 1 task, no task 1 (its file is read if a later step writes it)`;
      await waitFor(() => contents(before).includes(gone), {
        timeout: 30_000,
        what: `task 1's stream ended once the step ran; stderr: ${before.stderr}`,
      });
      // Started while the step runs: one file from the start.
      const during = new S9sProcess(args, { env: s.env, cwd: s.dir });
      await waitFor(() => during.json<Ev>().some((e) => e.state === "live"), {
        timeout: LONG,
        what: `task 0's file followed; stderr: ${during.stderr}`,
      });
      const ex = await runS9s(["stream", "--job", id, "--path", "out-%j-%t.txt", "--explain"], {
        env: s.env,
        cwd: s.dir,
      });
      assertStringIncludes(
        ex.stdout,
        [
          "    out-%j-%t.txt: 1 file(s), for 1 task(s) of its running step (the job has 2) on vm",
          `    task 0: found   ${s.dir}/out-${id}-0.txt`,
          "",
        ].join("\n"),
      );
      await s.go("go2");
      const [a, b] = await Promise.all([before.finished(), during.finished()]);
      assertEquals([a.code, b.code], [0, 0], before.stderr + during.stderr);
      assertEquals(byTask(before.json<Ev>()), { "0": expected(0, 20) });
      assertEquals(byTask(during.json<Ev>()), { "0": expected(0, 20) });
      assertEquals(contents(during).filter((c) => c.includes("task 1")), []);
      for (const e of [...before.json(), ...during.json()]) {
        assertEquals(validateEvent(e), [], JSON.stringify(e));
      }
    });
  },
});

Deno.test({
  name: "stream --path with %t: a later step of more tasks gets every task's file read, exactly",
  ignore: !ENABLED,
  async fn() {
    await inJobScratch("steps", async (s) => {
      // Step 0 runs 1 task (until "go2"), step 1 the job's 2 tasks (writing after "go3").
      const first = `srun -n 1 -o out-%j-%t.txt bash -c '${s.waitOn("go2")}'`;
      const second = `srun -n 2 -o out-%j-%t.txt ${taskScript(s.waitOn("go3"), 20)}`;
      const id = await s.submit(`${s.waitOn("go")}; ${first}; ${second}`);
      const p = new S9sProcess(
        ["stream", "--job", id, "--path", "out-%j-%t.txt", "-o", "json", "--events"],
        { env: s.env, cwd: s.dir },
      );
      const seen = (c: string) => p.json<Ev>().some((e) => e.content === c);
      const task1 = `${s.dir}/out-${id}-1.txt`;
      await waitFor(() => seen(`waiting for "${task1}" to appear`), {
        timeout: LONG,
        what: `task 1's file awaited; stderr: ${p.stderr}`,
      });
      await s.go("go");
      const gone =
        `stream ${id} task 1:stdout ended: the job's step runs 1 task, no task 1 (its file is read if a later step writes it)`;
      await waitFor(() => seen(gone), { timeout: 30_000, what: `task 1 dropped: ${p.stderr}` });
      await s.go("go2");
      await waitFor(() => seen(`following "${task1}"`), {
        timeout: 30_000,
        what: `task 1's file followed again; stderr: ${p.stderr}`,
      });
      await s.go("go3");
      const r = await p.finished();
      assertEquals(r.code, 0, p.stderr);
      assertEquals(byTask(p.json<Ev>()), { "0": expected(0, 20), "1": expected(1, 20) });
      for (const e of p.json()) assertEquals(validateEvent(e), [], JSON.stringify(e));
    });
  },
});

Deno.test({
  name: "stream --path with %t started in a 1-task step reads a later, short 2-task step's files",
  ignore: !ENABLED,
  async fn() {
    await inJobScratch("short", async (s) => {
      // Step 0 runs 1 task until "go2"; step 1, the job's 2 tasks, writes at once and ends: with
      // a 2 s poll, s9s (almost always) sees the job end without having seen step 1 run.
      const first = `srun -n 1 -o out-%j-%t.txt bash -c '${s.waitOn("go2")}'`;
      const second = `srun -n 2 -o out-%j-%t.txt ${taskScript("true", 20)}`;
      const id = await s.submit(`${first}; ${second}`);
      await waitFor(
        async () => (await shOut(["squeue", "-h", "-s", "-j", id])).includes(`${id}.0`),
        { timeout: LONG, what: `step ${id}.0 running` },
      );
      const home = `${s.dir}/home2`;
      await Deno.mkdir(home);
      await Deno.writeTextFile(`${home}/config.yaml`, "cluster:\n  poll_interval: 2s\n");
      const p = new S9sProcess(
        ["stream", "--job", id, "--path", "out-%j-%t.txt", "-o", "json", "--events"],
        { env: testEnv(home), cwd: s.dir },
      );
      await waitFor(() => p.json<Ev>().some((e) => e.state === "live"), {
        timeout: LONG,
        what: `task 0's file followed; stderr: ${p.stderr}`,
      });
      await s.go("go2");
      const r = await p.finished();
      assertEquals(r.code, 0, p.stderr);
      assertEquals(byTask(p.json<Ev>()), { "0": expected(0, 20), "1": expected(1, 20) });
    });
  },
});

Deno.test({
  name:
    "stream --job N.0 --tasks splits a 2-task step's sattach output by task; --task 0 follows one",
  ignore: !ENABLED,
  async fn() {
    await inJobScratch("sattach", async (s) => {
      const id = await s.submit(`srun --label ${taskScript(s.wait, 50)}`);
      await waitFor(
        async () => (await shOut(["squeue", "-h", "-s", "-j", id])).includes(`${id}.0`),
        {
          timeout: LONG,
          what: `step ${id}.0 running`,
        },
      );
      const all = new S9sProcess([
        "stream",
        "--job",
        `${id}.0`,
        "--tasks",
        "-o",
        "json",
        "--events",
      ], {
        env: s.env,
      });
      const one = new S9sProcess(
        ["stream", "--job", `${id}.0`, "--task", "0", "--type", "stdout"],
        {
          env: s.env,
        },
      );
      await waitFor(() => all.json<Ev>().filter((e) => e.state === "live").length === 2, {
        timeout: LONG,
        what: `sattach attached; stderr: ${all.stderr}`,
      });
      await one.waitForStderr(`attached to step ${id}.0 with sattach`, LONG);
      await s.go();
      const [a, b] = await Promise.all([all.finished(), one.finished()]);
      assertEquals([a.code, b.code], [0, 0], all.stderr + one.stderr);
      assertEquals(byTask(all.json<Ev>()), { "0": expected(0, 50), "1": expected(1, 50) });
      for (const e of all.json()) assertEquals(validateEvent(e), [], JSON.stringify(e));
      assertEquals(one.lines, expected(0, 50));
    });
  },
});
