/**
 * Issue 23, points 1 and 2, through the real CLI: writers that rotate their file faster than
 * anyone looks at it (Python's RotatingFileHandler flat out, a steady writer rotating every
 * 50 ms, twenty rotations with no pause, Vector's `write, rotate, write, pause 4 ms, rotate`) and
 * copytruncate under load. Each writer runs in a worker thread (tests/_helpers/log_writers.ts);
 * `s9s stream` follows the path in a process of its own, and `tail -F` beside it where its result
 * is the yardstick.
 */
import { assert, assertEquals, waitFor } from "../_helpers/assert.ts";
import { S9sProcess, testEnv } from "../_helpers/cli.ts";
import { tempHome } from "../_helpers/temp_dir.ts";
import { audit, FOLLOW_MODES, lineOf, numberOf, runWriter } from "../_helpers/log_writers.ts";

const MODES = FOLLOW_MODES;

/** `s9s stream --path` in text mode (one stream: plain lines). */
function follow(path: string, home: string, config: string): S9sProcess {
  return new S9sProcess(["stream", "--path", path, "--config", config], { env: testEnv(home) });
}

/** `tail -F -n +1` beside s9s, its stdout lines collected. */
function tailF(path: string): { lines: string[]; stop: () => Promise<void> } {
  const child = new Deno.Command("tail", {
    args: ["-F", "-n", "+1", path],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines: string[] = [];
  const done = (async () => {
    let buf = "";
    const dec = new TextDecoder();
    for await (const chunk of child.stdout) {
      buf += dec.decode(chunk, { stream: true });
      const parts = buf.split("\n");
      buf = parts.pop()!;
      lines.push(...parts);
    }
  })();
  let stopped: Promise<void> | undefined;
  return {
    lines,
    stop: () =>
      stopped ??= (async () => {
        try {
          child.kill("SIGTERM");
        } catch { /* gone */ }
        await child.status;
        await done;
      })(),
  };
}

/** Wait until `lines` holds `n` lines (or the deadline passes). */
async function settle(lines: string[], n: number, timeout = 20_000): Promise<void> {
  await waitFor(() => lines.length >= n, { timeout, what: `${n} lines` }).catch(() => {});
}

/** What a rotation test gets: the followed path, s9s on it, `tail -F` beside it if asked. */
interface Followed {
  path: string;
  p: S9sProcess;
  t?: { lines: string[]; stop: () => Promise<void> };
}

/**
 * In a fresh directory, `name` holding line 1 followed by s9s under `config` (and `tail -F` with
 * `tail`), both past line 1: run `body`, then stop them and clean up.
 */
async function following(
  o: { config: string; name?: string; tail?: boolean },
  body: (f: Followed) => Promise<void>,
): Promise<void> {
  const { dir, home } = await tempHome("s9s-rot-");
  const path = `${dir}/${o.name ?? "app.log"}`;
  await Deno.writeTextFile(`${dir}/c.yaml`, o.config);
  await Deno.writeTextFile(path, lineOf(1) + "\n");
  const p = follow(path, home, `${dir}/c.yaml`);
  const t = o.tail ? tailF(path) : undefined;
  try {
    await p.waitForLines(1);
    if (t) await waitFor(() => t.lines.length >= 1, { what: "tail -F's first line" });
    await body({ path, p, t });
  } finally {
    await p.stop();
    await t?.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

/** Stop s9s (and tail -F) once they printed `last` lines or the deadline passed; s9s's audit. */
async function verdict({ p, t }: Followed, last: number): Promise<[string, string]> {
  await settle(p.lines, last);
  await p.stop();
  if (t) await settle(t.lines, last, 2000);
  await t?.stop();
  return [audit(p.lines, last), t ? audit(t.lines, last) : "-"];
}

for (const mode of MODES) {
  Deno.test(`stream (${mode.name}) reads every generation of a RotatingFileHandler-like writer rotating every 3,000 lines flat out`, async () => {
    await following({ config: mode.config, tail: mode.name === "inotify" }, async (f) => {
      const { path } = f;
      // 10 generations of 3,000 lines, each written in a few milliseconds. All ten rotated files
      // are kept: a generation deleted before s9s looks is lost to any follower (README), and on
      // a loaded machine s9s may look tens of milliseconds late.
      const { last } = await runWriter({
        kind: "rotating",
        path,
        backups: 10,
        first: 2,
        count: 29_999,
        every: 3000,
      });
      const [s9s, tail] = await verdict(f, last);
      assertEquals(s9s, "ok", `s9s; tail -F: ${tail}`);
    });
  });

  Deno.test(`stream (${mode.name}) loses nothing from a steady writer rotating every 50 ms`, async () => {
    await following({ config: mode.config }, async (f) => {
      const { path } = f;
      // A line every 0.2 ms (5,000 a second) for 2 s, a rotation every 50 ms; backupCount 5.
      const { last, rotations } = await runWriter({
        kind: "steady",
        path,
        backups: 5,
        first: 2,
        ms: 2000,
        lineMs: 0.2,
        rotateMs: 50,
      });
      assert(rotations >= 30, `rotations: ${rotations}`);
      assertEquals((await verdict(f, last))[0], "ok");
    });
  });

  Deno.test(`stream (${mode.name}) reads twenty rename rotations of 50 lines written with no pause (1,002 lines)`, async () => {
    await following({ config: mode.config, tail: mode.name === "inotify" }, async (f) => {
      const { path } = f;
      // Lines 2–51, rotate, 52–101, rotate, … 952–1001, rotate, 1002; every generation kept.
      const { last, rotations } = await runWriter({
        kind: "rotating",
        path,
        backups: 25,
        first: 2,
        count: 1001,
        every: 50,
      });
      assertEquals([last, rotations], [1002, 20]);
      const [s9s, tail] = await verdict(f, last);
      assertEquals(s9s, "ok", `s9s; tail -F: ${tail}`);
    });
  });
}

Deno.test("stream reads Vector's case: write, rotate, write, pause 4 ms, rotate, read", async () => {
  await following({ config: MODES[0].config, name: "a_file.log", tail: true }, async (f) => {
    const { path } = f;
    // Each rotation moves the file to one rotated name, replacing the generation there.
    await runWriter({
      kind: "actions",
      path,
      backups: 1,
      actions: [{ write: 2, count: 2 }, { rotate: true }, { write: 4, count: 2 }, { pause: 4 }, {
        rotate: true,
      }, { write: 6 }],
    });
    const [s9s, tail] = await verdict(f, 6);
    assertEquals(s9s, "ok", `s9s; tail -F: ${tail}`);
  });
});

Deno.test("stream never prints a torn line while logrotate copies and truncates under a flat-out writer", async () => {
  await following({ config: MODES[0].config }, async (f) => {
    const { path, p } = f;
    // Ten rounds: 3,000 lines flat out, then copy and truncate; then 200 lines that stay.
    const actions = [];
    for (let r = 0; r < 10; r++) {
      actions.push({ write: 2 + r * 3000, count: 3000 }, { copytruncate: true as const });
    }
    actions.push({ write: 30_002, count: 200 });
    const { last } = await runWriter({ kind: "actions", path, backups: 1, actions });
    await waitFor(() => p.lines.at(-1) === lineOf(last), {
      timeout: 20_000,
      what: `the last line (have ${p.lines.length} lines, last ${p.lines.at(-1)})`,
    });
    await p.stop();
    // Lines written after s9s's last read and before a truncation went with it (into the
    // copy): copytruncate's own race. Everything printed must be whole, once and in order.
    const nums = p.lines.map(numberOf);
    assertEquals(p.lines.filter((_, i) => Number.isNaN(nums[i])), [], "torn lines");
    assert(nums.every((x, i) => i === 0 || x > nums[i - 1]), "once, in order");
    for (let k = last - 199; k <= last; k++) assert(nums.includes(k), `line ${k} must come`);
    assert(/was truncated or rewritten/.test(p.stderr), `a status says so: ${p.stderr}`);
  });
});

Deno.test("stream drops, and says so, the unfinished line a file ended with when it is truncated", async () => {
  const { dir, home } = await tempHome("s9s-rot-");
  const path = `${dir}/app.log`;
  await Deno.writeTextFile(`${dir}/c.yaml`, MODES[0].config);
  await Deno.writeTextFile(path, `${lineOf(1)}\n${lineOf(2).slice(0, 12)}`);
  const p = follow(path, home, `${dir}/c.yaml`);
  try {
    // Line 1 printed: the same read took the start of line 2, which s9s now holds.
    await p.waitForLines(1);
    // copytruncate cuts line 2 off before its end was written; the writer goes on from 0.
    Deno.truncateSync(path, 0);
    await Deno.writeTextFile(path, `${lineOf(3)}\n${lineOf(4)}\n`, { append: true });
    await p.waitForLines(3);
    await p.waitForStderr("is dropped");
    await p.stop();
    assertEquals(p.lines, [lineOf(1), lineOf(3), lineOf(4)]);
    assert(
      /was truncated or rewritten; .*\(the unfinished line it ended with, 12 bytes, is dropped\)/
        .test(p.stderr),
      p.stderr,
    );
  } finally {
    await p.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stream (polling only) says so when a rotation went past the generation it read", async () => {
  await following({ config: MODES[1].config }, async (f) => {
    const { path, p } = f;
    // Ten rotations within one poll interval, two rotated files kept: the generation s9s reads
    // is deleted, and so are the ones after it, before s9s looks again.
    const { last } = await runWriter({
      kind: "rotating",
      path,
      backups: 2,
      first: 2,
      count: 3000,
      every: 300,
    });
    await waitFor(() => p.lines.at(-1) === lineOf(last), { what: "the last line" });
    await p.waitForStderr("rotated faster than s9s looked");
    await p.stop();
    assert(
      /"[^"]*app\.log" rotated faster than s9s looked: generations older than "app\.log\.\d+" may have been deleted unread/
        .test(p.stderr),
      p.stderr,
    );
    // What was still there is read whole and in order: the last three generations.
    assertEquals(audit(p.lines, last, new Set(range(last - 899, last))), "ok");
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
