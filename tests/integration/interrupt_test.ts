/**
 * Ctrl+C (SIGINT) and SIGTERM end s9s within a second, whatever a filter does and whatever the
 * followed path turns into.
 * @module
 */
import { assert, assertEquals, waitFor } from "../_helpers/assert.ts";
import { S9sProcess, taskV8Flags, testEnv } from "../_helpers/cli.ts";

/** CPU time a process used so far, ms. */
async function cpuMs(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) * 10;
}

/** How many of a process's threads wait in a FIFO's open for the other end. */
async function fifoWaiters(pid: number): Promise<number> {
  let n = 0;
  for await (const t of Deno.readDir(`/proc/${pid}/task`)) {
    const wchan = await Deno.readTextFile(`/proc/${pid}/task/${t.name}/wchan`).catch(() => "");
    if (wchan === "wait_for_partner") n++;
  }
  return n;
}

/** Send `sig` and wait for the exit with a deadline; returns the exit code and the time taken. */
async function stopWithin(p: S9sProcess, sig: Deno.Signal, ms: number) {
  const t0 = performance.now();
  let code: number | undefined;
  const done = p.stop(sig).then((st) => (code = st.code));
  try {
    await waitFor(() => code !== undefined, { timeout: ms, interval: 10, what: `exit on ${sig}` });
  } catch (err) {
    try {
      Deno.kill(p.pid, "SIGKILL");
    } catch { /* gone */ }
    await done;
    throw err;
  }
  return { code: code!, ms: performance.now() - t0 };
}

/** `n` log lines (~63 bytes each) with short runs of "a" and no "z". */
function catchUpText(n: number): string {
  const words = ["alpha", "beta", "gamma", "delta", "x", "y", "node", "task", "step", "error"];
  let seed = 1;
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    let line = "";
    for (let w = 0; w < 12; w++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      line += words[(seed >>> 16) % words.length] + " ";
    }
    parts.push(`${line}${i}\n`);
  }
  return parts.join("");
}

const alternation = (n: number) => Array.from({ length: n }, (_, i) => `(a+)+b${i}`).join("|");

/** Each pattern with as many lines as keep its catch-up busy for seconds before the fix. */
const PATTERNS: [string, string, number][] = [
  ["a linear pattern (.*x.*y.*z)", ".*x.*y.*z", 200_000],
  ["a 100-way alternation", alternation(100), 45_000],
  ["a 2,000-way alternation", alternation(2000), 45_000],
  ["a 4,000-way (a+)+bN alternation", alternation(4000), 45_000],
];

for (const [what, pattern, lines] of PATTERNS) {
  Deno.test(`SIGINT during a catch-up filtered by ${what} ends s9s in under 1 s`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "s9s-int-" });
    const path = `${dir}/big.log`;
    await Deno.writeTextFile(path, catchUpText(lines));
    // The task's V8 flags, as users run s9s: the linear regex engine takes these patterns.
    const p = new S9sProcess(["stream", "--path", path, "--filter", pattern], {
      env: testEnv(`${dir}/home`, { DENO_V8_FLAGS: taskV8Flags() }),
    });
    try {
      await waitFor(async () => await cpuMs(p.pid) >= 600, {
        timeout: 20_000,
        what: "s9s busy with the catch-up",
      });
      const { code, ms } = await stopWithin(p, "SIGINT", 1000);
      assertEquals(code, 130, p.stderr);
      assert(ms < 1000, `took ${ms} ms`);
    } finally {
      await p.stop("SIGKILL");
      await Deno.remove(dir, { recursive: true });
    }
  });
}

for (const sig of ["SIGINT", "SIGTERM"] as const) {
  Deno.test(`${sig} ends s9s at once when a FIFO was swapped in for the followed path`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "s9s-int-" });
    const path = `${dir}/job.out`;
    await Deno.writeTextFile(path, "one\n");
    const p = new S9sProcess(["stream", "--path", path], { env: testEnv(`${dir}/home`) });
    try {
      await p.waitForLines(1);
      await Deno.rename(path, `${dir}/job.old`);
      const mk = await new Deno.Command("mkfifo", { args: [path] }).output();
      assert(mk.success, "mkfifo");
      await p.waitForStderr("waiting for a writer on FIFO");
      // Threads of s9s sit in the FIFO's open (the kernel's wait_for_partner) by now.
      await waitFor(async () => await fifoWaiters(p.pid) >= 2, {
        timeout: 10_000,
        what: "threads blocked opening the FIFO",
      });
      // Before the fix the watcher and a runtime thread sat in open() until a writer came.
      const { code } = await stopWithin(p, sig, 3000);
      assertEquals(code, 130, p.stderr);
    } finally {
      await p.stop("SIGKILL");
      await Deno.remove(dir, { recursive: true });
    }
  });
}
