/**
 * `s9s stream` on real files written by another process (this test), checked through the real
 * CLI's JSON output.
 */
import { assert, assertEquals, assertStringIncludes, waitFor } from "../_helpers/assert.ts";
import { followFile, runS9s, S9sProcess, testEnv } from "../_helpers/cli.ts";
import { validateEvent } from "../_helpers/schema.ts";
import { tempHome } from "../_helpers/temp_dir.ts";

interface Ev {
  job_id: string;
  type: string;
  content: string;
  line_num: number;
  timestamp: string;
  source: string;
  progress?: boolean;
  truncated?: boolean;
  state?: string;
}

const enc = new TextEncoder();

async function append(path: string, text: string): Promise<void> {
  const f = await Deno.open(path, { append: true, create: true });
  try {
    await f.write(enc.encode(text));
  } finally {
    f.close();
  }
}

function lines(from: number, to: number): string {
  let s = "";
  for (let i = from; i <= to; i++) s += `line ${i} ${"x".repeat(i % 50)}\n`;
  return s;
}

function checkSequence(evs: Ev[], n: number): void {
  const content = evs.filter((e) => e.type === "stdout");
  assertEquals(content.length, n, "number of lines");
  for (let i = 0; i < n; i++) {
    const e = content[i];
    if (e.content !== `line ${i + 1} ${"x".repeat((i + 1) % 50)}` || e.line_num !== i + 1) {
      throw new Error(`event ${i}: expected line ${i + 1}, got ${JSON.stringify(e)}`);
    }
  }
}

function follow(
  path: string,
  home: string,
  extra: string[] = [],
  env: Record<string, string> = {},
) {
  return followFile(path, home, { extra, env });
}

Deno.test("stream delivers every line of a bursty writer with partial writes exactly once, in order", async () => {
  const { dir, home } = await tempHome();
  const path = `${dir}/job.out`;
  await Deno.writeTextFile(path, "");
  const p = follow(path, home);
  try {
    const N = 20_000;
    const data = enc.encode(lines(1, N));
    const f = await Deno.open(path, { append: true });
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let pos = 0;
    while (pos < data.length) {
      // Bursts of 1 byte to 64 KB, cut anywhere (mid-line, mid-character).
      const n = Math.min(data.length - pos, 1 + Math.floor(rnd() ** 3 * 65536));
      pos += await f.write(data.subarray(pos, pos + n));
      if (rnd() < 0.2) await new Promise((r) => setTimeout(r, 1));
    }
    f.close();
    await p.waitForLines(N, 60_000);
    await p.stop();
    const evs = p.json<Ev>();
    checkSequence(evs, N);
    for (const e of evs.slice(0, 50)) assertEquals(validateEvent(e), [], "schema");
    assertEquals(evs[0].source, "file");
    assertEquals(evs[0].job_id, "job.out");
  } finally {
    await p.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stream survives truncation (copytruncate) without losing or doubling lines", async () => {
  const { dir, home } = await tempHome();
  const path = `${dir}/job.out`;
  await Deno.writeTextFile(path, lines(1, 500));
  const p = follow(path, home);
  try {
    await p.waitForLines(500);
    // copytruncate: the old content is copied away, the file emptied, writing goes on.
    await Deno.copyFile(path, `${path}.1`);
    await Deno.truncate(path, 0);
    await waitFor(async () => (await Deno.stat(path)).size === 0);
    await append(path, lines(501, 800));
    await append(path, lines(801, 1000));
    await p.waitForLines(1000);
    await p.stop();
    checkSequence(p.json<Ev>(), 1000);
  } finally {
    await p.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stream follows a rotated file (rename and recreate) without losing or doubling lines", async () => {
  const { dir, home } = await tempHome();
  const path = `${dir}/job.out`;
  await Deno.writeTextFile(path, lines(1, 300));
  const p = follow(path, home);
  try {
    await p.waitForLines(300);
    // The writer adds to the old file, then rotates and reopens the path.
    await append(path, lines(301, 400));
    await Deno.rename(path, `${path}.1`);
    await append(path, lines(401, 1000));
    await p.waitForLines(1000);
    await p.stop();
    checkSequence(p.json<Ev>(), 1000);
  } finally {
    await p.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stream waits for a file that does not exist yet", async () => {
  const { dir, home } = await tempHome();
  // The directory must exist: a missing one is an error at once (cli_errors_test.ts).
  const path = `${dir}/later/job.out`;
  await Deno.mkdir(`${dir}/later`);
  const p = new S9sProcess(["stream", "--path", path, "--type", "stdout"], { env: testEnv(home) });
  try {
    await p.waitForStderr("waiting for");
    await Deno.writeTextFile(path, "first\nsecond\n");
    await p.waitForLines(2);
    assertEquals(p.lines, ["first", "second"]);
  } finally {
    await p.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stream sees appends by polling alone when inotify is off (NFS/Lustre case)", async () => {
  const { dir, home } = await tempHome();
  const path = `${dir}/job.out`;
  const cfg = `${dir}/config.yaml`;
  await Deno.writeTextFile(
    cfg,
    "streaming:\n  polling_interval: 50ms\n  file_polling:\n    use_inotify: false\n",
  );
  await Deno.writeTextFile(path, "");
  const p = follow(path, home, ["--config", cfg, "--debug"]);
  try {
    for (let i = 0; i < 5; i++) {
      await append(path, lines(i * 100 + 1, i * 100 + 100));
      await p.waitForLines((i + 1) * 100);
    }
    await p.stop();
    checkSequence(p.json<Ev>(), 500);
  } finally {
    await p.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stream keeps the last state of carriage-return progress lines", async () => {
  const { dir, home } = await tempHome();
  const path = `${dir}/job.out`;
  await Deno.writeTextFile(path, "start\n");
  const p = follow(path, home, ["--progress"]);
  try {
    await p.waitForLines(1);
    await append(path, "train 10%|#   |\rtrain 20%|##  |\r");
    // With --progress, the in-place state is reported while the line is still open.
    await waitFor(() => p.json<Ev>().some((e) => e.progress && e.content === "train 20%|##  |"));
    await append(path, "train 100%|####|\r\ndone\r\n");
    await waitFor(() => p.json<Ev>().some((e) => e.content === "done"));
    await p.stop();
    const final = p.json<Ev>().filter((e) => !e.progress);
    assertEquals(final.map((e) => [e.line_num, e.content]), [
      [1, "start"],
      [2, "train 100%|####|"],
      [3, "done"],
    ]);
  } finally {
    await p.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stream --no-follow prints what exists and exits; --tail starts at the last N lines", async () => {
  const { dir, home } = await tempHome();
  const path = `${dir}/job.out`;
  await Deno.writeTextFile(path, lines(1, 10) + "unterminated");
  const all = await runS9s(["stream", "--path", path, "--no-follow"], { env: testEnv(home) });
  assertEquals(all.code, 0, all.stderr);
  assertEquals(all.stdout.split("\n").length, 12);
  assert(all.stdout.endsWith("unterminated\n"), "the unterminated tail is emitted at the end");
  const t = await runS9s(["stream", "--path", path, "--no-follow", "--tail", "3", "-o", "json"], {
    env: testEnv(home),
  });
  assertEquals(t.code, 0, t.stderr);
  const evs = t.stdout.trim().split("\n").map((l) => JSON.parse(l) as Ev);
  assertEquals(evs.map((e) => e.line_num), [9, 10, 11]);
  assertEquals(evs[2].content, "unterminated");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("stream --filter and --exclude select lines, several of each combining", async () => {
  const { dir, home } = await tempHome();
  const path = `${dir}/job.out`;
  await Deno.writeTextFile(path, "INFO a\nERROR b\nWARN c\nDEBUG d\nerror e\nERROR debug f\n");
  const r = await runS9s([
    "stream",
    "--path",
    path,
    "--no-follow",
    "--filter",
    "ERROR",
    "--filter",
    "(?i)warn",
    "--exclude",
    "(?i)debug",
  ], { env: testEnv(home) });
  assertEquals(r.code, 0, r.stderr);
  assertEquals(r.stdout, "ERROR b\nWARN c\n");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("stream rejects a bad regex with exit 2 naming the pattern", async () => {
  const { dir, home } = await tempHome();
  const r = await runS9s(["stream", "--path", "/dev/null", "--filter", "err[or"], {
    env: testEnv(home),
  });
  assertEquals(r.code, 2);
  assertStringIncludes(r.stderr, 'error: --filter: invalid regular expression "err[or"');
  assertStringIncludes(r.stderr, "hint:");
  assert(!/\n\s+at /.test(r.stderr), "no stack trace");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a bad config lists every problem with key path, file and line, exit 2", async () => {
  const { dir, home } = await tempHome();
  const cfg = `${dir}/bad.yaml`;
  await Deno.writeTextFile(
    cfg,
    [
      "streaming:",
      "  polling_interval: soon",
      "  buffer:",
      "    max_lines: lots",
      "  persistance:",
      "    enabled: true",
      "  filters:",
      "    - name: x",
      '      pattern: "(?i)err[or"',
      "",
    ].join("\n"),
  );
  for (
    const args of [["stream", "--path", "/dev/null", "--config", cfg], [
      "--config",
      cfg,
      "config",
      "validate",
    ]]
  ) {
    const r = await runS9s(args, { env: testEnv(home) });
    assertEquals(r.code, 2, r.stderr);
    assertStringIncludes(r.stderr, "error: invalid configuration (4 problems)");
    assertStringIncludes(
      r.stderr,
      `streaming.polling_interval: expected a duration such as "100ms", "30s" or "5m", got "soon" (${cfg} line 2)`,
    );
    assertStringIncludes(
      r.stderr,
      `streaming.buffer.max_lines: expected a positive integer, got "lots" (${cfg} line 4)`,
    );
    assertStringIncludes(
      r.stderr,
      `streaming.persistance: unknown key; did you mean "persistence"? (${cfg} line 5)`,
    );
    assertStringIncludes(
      r.stderr,
      `streaming.filters.0.pattern: invalid regular expression "(?i)err[or"`,
    );
    assert(!/\n\s+at /.test(r.stderr), "no stack trace");
  }
  // Also through $S9S_CONFIG, and a YAML syntax error.
  await Deno.writeTextFile(cfg, "streaming:\n  enabled: [\n");
  const r = await runS9s(["config", "validate"], { env: testEnv(home, { S9S_CONFIG: cfg }) });
  assertEquals(r.code, 2);
  assertStringIncludes(r.stderr, cfg);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("config show prints the effective config: defaults < file < environment < flags", async () => {
  const { dir, home } = await tempHome();
  const cfg = `${dir}/c.yaml`;
  await Deno.writeTextFile(
    cfg,
    "streaming:\n  polling_interval: 1s\n  persistence:\n    base_dir: /tmp/hist\n  buffer:\n    max_size: 5MB\n",
  );
  const r = await runS9s(["--config", cfg, "config", "show"], {
    env: testEnv(home, { S9S_STREAMING__REFRESH_INTERVAL: "250ms" }),
  });
  assertEquals(r.code, 0, r.stderr);
  assertStringIncludes(r.stdout, "polling_interval: 1s");
  assertStringIncludes(r.stdout, "refresh_interval: 250ms");
  assertStringIncludes(r.stdout, "directory: /tmp/hist");
  assertStringIncludes(r.stdout, "max_size_per_stream: 5MB");
  assertStringIncludes(r.stdout, "max_concurrent_streams: 20");
  const missing = await runS9s(["--config", `${dir}/nope.yaml`, "config", "show"], {
    env: testEnv(home),
  });
  assertEquals(missing.code, 2);
  assertStringIncludes(missing.stderr, "does not exist");
  // No file at the default place means defaults.
  const def = await runS9s(["config", "validate"], { env: testEnv(home) });
  assertEquals(def.code, 0, def.stderr);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("stream on the mock cluster shows live lines and ends by itself when the job finishes", async () => {
  const { dir, home } = await tempHome();
  const r = await runS9s([
    "stream",
    "--mock",
    "--job",
    "1010",
    "--output-format",
    "json",
    "--events",
  ], {
    env: testEnv(home),
  });
  assertEquals(r.code, 0, r.stderr);
  const evs = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Ev);
  for (const e of evs) assertEquals(validateEvent(e), [], JSON.stringify(e));
  const out = evs.filter((e) => e.type === "stdout");
  assert(out.length >= 12, `expected the job's lines, got ${out.length}`);
  assertEquals(out.map((e) => e.line_num), out.map((_, i) => i + 1));
  assertEquals(out.at(-1)!.content, "Job 1010 finished with exit code 0");
  assert(evs.some((e) => e.type === "stderr"), "stderr lines too");
  assert(
    evs.some((e) => e.type === "status" && /COMPLETED/.test(e.content)),
    "a status event for the end",
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("text mode prefixes interleaved streams with [job:type] and uses no color off a terminal", async () => {
  const { dir, home } = await tempHome();
  const r = await runS9s(["stream", "--mock", "--job", "1010"], { env: testEnv(home) });
  assertEquals(r.code, 0, r.stderr);
  assertStringIncludes(r.stdout, "[1010:stdout] quick step 1\n");
  assertStringIncludes(r.stdout, "[1010:stderr] quick: warning: using default settings\n");
  assert(!r.stdout.includes("\x1b["), "no escape codes");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("stream cuts a line of many megabytes into marked pieces and loses no byte", async () => {
  const { dir, home } = await tempHome();
  const path = `${dir}/job.out`;
  const big = "y".repeat(3 * 1024 * 1024 + 17);
  await Deno.writeTextFile(path, `before\n${big}\nafter\n`);
  const r = await runS9s(["stream", "--path", path, "--no-follow", "-o", "json"], {
    env: testEnv(home),
  });
  assertEquals(r.code, 0, r.stderr);
  const evs = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Ev);
  assertEquals(evs[0].content, "before");
  assertEquals(evs.at(-1)!.content, "after");
  const pieces = evs.slice(1, -1);
  assert(pieces.length >= 4, `expected pieces, got ${pieces.length}`);
  assertEquals(pieces.map((e) => e.content).join(""), big);
  assert(pieces.every((e) => e.truncated === true), "every piece is marked, the last one too");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("stream ends cleanly on Ctrl+C (SIGINT) with no stack trace", async () => {
  const { dir, home } = await tempHome();
  const path = `${dir}/job.out`;
  await Deno.writeTextFile(path, "one\n");
  const p = new S9sProcess(["stream", "--path", path], { env: testEnv(home) });
  try {
    await p.waitForLines(1);
    const st = await p.stop("SIGINT");
    assertEquals(st.code, 130);
    assert(!p.stderr.includes("error"), p.stderr);
  } finally {
    await p.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("debug mode writes ~/.s9s/debug.log with STREAM lines (flag and environment)", async () => {
  const { dir, home } = await tempHome();
  const path = `${dir}/job.out`;
  await Deno.writeTextFile(path, "one\n");
  const a = await runS9s(["--debug", "stream", "--path", path, "--no-follow"], {
    env: testEnv(home),
  });
  assertEquals(a.code, 0, a.stderr);
  const log = await Deno.readTextFile(`${home}/debug.log`);
  assert(/ STREAM .*start job\.out:stdout/.test(log), log);
  await Deno.remove(`${home}/debug.log`);
  const b = await runS9s(["stream", "--path", path, "--no-follow"], {
    env: testEnv(home, { S9S_STREAMING_DEBUG: "true" }),
  });
  assertEquals(b.code, 0, b.stderr);
  assertStringIncludes(await Deno.readTextFile(`${home}/debug.log`), " STREAM ");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("jobs lists the mock cluster's jobs in text and JSON", async () => {
  const { dir, home } = await tempHome();
  const t = await runS9s(["jobs", "--mock"], { env: testEnv(home) });
  assertEquals(t.code, 0, t.stderr);
  assert(/^JOBID\s+NAME\s+USER\s+STATE\s+ELAPSED\s+NODES/.test(t.stdout), t.stdout);
  assert(/^1001\s+train_model\s+\S+\s+RUNNING/m.test(t.stdout), t.stdout);
  const j = await runS9s(["jobs", "--mock", "--state", "PENDING", "-o", "json"], {
    env: testEnv(home),
  });
  assertEquals(j.code, 0, j.stderr);
  const jobs = JSON.parse(j.stdout) as { job_id: string; state: string }[];
  assert(jobs.length > 0 && jobs.every((x) => x.state === "PENDING"), j.stdout);
  // Elapsed time is counted from the job's start to now (or its end), never negative.
  const r = await runS9s(["jobs", "--mock", "--state", "RUNNING", "-o", "json"], {
    env: testEnv(home),
  });
  assertEquals(r.code, 0, r.stderr);
  const running = JSON.parse(r.stdout) as { elapsed_seconds: number | null }[];
  assert(running.length > 0, r.stdout);
  for (const x of running) assert(x.elapsed_seconds !== null && x.elapsed_seconds >= 0, r.stdout);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("named config filters color matching lines when color is on, and NO_COLOR turns it off", async () => {
  const { dir, home } = await tempHome();
  const path = `${dir}/job.out`;
  await Deno.writeTextFile(path, "all good\nERROR: disk full\nWARNING: slow\nProgress: 50%\n");
  const colored = await runS9s(["stream", "--path", path, "--no-follow"], {
    env: { S9S_HOME: home, FORCE_COLOR: "1", NO_COLOR: "" },
  });
  assertEquals(colored.code, 0, colored.stderr);
  assertStringIncludes(colored.stdout, "\x1b[31mERROR: disk full\x1b[0m");
  assertStringIncludes(colored.stdout, "\x1b[33mWARNING: slow\x1b[0m");
  assertStringIncludes(colored.stdout, "\x1b[32mProgress: 50%\x1b[0m");
  assertStringIncludes(colored.stdout, "all good\n");
  const plain = await runS9s(["stream", "--path", path, "--no-follow"], {
    env: { S9S_HOME: home, FORCE_COLOR: "1", NO_COLOR: "1" },
  });
  assertEquals(plain.stdout, "all good\nERROR: disk full\nWARNING: slow\nProgress: 50%\n");
  await Deno.remove(dir, { recursive: true });
});
