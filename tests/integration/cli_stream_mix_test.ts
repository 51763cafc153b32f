/**
 * `s9s stream` with several targets at once (jobs of the mock cluster and plain files), and
 * `--template` text lines; stdout, stderr and exit code checked with NO_COLOR=1.
 */
import { assert, assertEquals, assertMatch, waitFor } from "../_helpers/assert.ts";
import { runS9s, S9sProcess, testEnv } from "../_helpers/cli.ts";
import { tempHome } from "../_helpers/temp_dir.ts";

Deno.test("stream follows several --path files, labelled by name (by path when names collide)", async () => {
  const { dir, home } = await tempHome("s9s-mix-");
  try {
    await Deno.mkdir(`${dir}/sub`);
    await Deno.writeTextFile(`${dir}/a.log`, "a1\na2\n");
    await Deno.writeTextFile(`${dir}/b.log`, "b1\n");
    await Deno.writeTextFile(`${dir}/sub/b.log`, "c1\n");
    const r = await runS9s(
      ["stream", "--path", "a.log", "--path", "b.log", "--path", "sub/b.log", "--no-follow", "-q"],
      { env: testEnv(home), cwd: dir },
    );
    assertEquals(r.stderr, "");
    assertEquals(r.code, 0);
    assertEquals(r.stdout.split("\n").filter(Boolean).sort(), [
      "[a.log:stdout] a1",
      "[a.log:stdout] a2",
      "[b.log:stdout] b1",
      "[sub/b.log:stdout] c1",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stream mixes --job and several --path in one run", async () => {
  const { dir, home } = await tempHome("s9s-mix-");
  try {
    await Deno.writeTextFile(`${dir}/a.log`, "from a\n");
    await Deno.writeTextFile(`${dir}/b.log`, "from b\n");
    const p = new S9sProcess(
      ["stream", "--mock", "--job", "1001", "--path", `${dir}/a.log`, "--path", `${dir}/b.log`],
      { env: testEnv(home), cwd: dir },
    );
    try {
      const has = (pre: string) => p.lines.some((l) => l.startsWith(pre));
      await waitFor(() => has("[a.log:stdout] ") && has("[b.log:stdout] ") && has("[1001:"), {
        timeout: 20_000,
        what: `lines of all three streams: ${p.lines.join(" / ")} ${p.stderr}`,
      });
      await Deno.writeTextFile(`${dir}/b.log`, "more b\n", { append: true });
      await waitFor(() => p.lines.includes("[b.log:stdout] more b"), {
        what: "the appended line",
      });
      assert(p.lines.includes("[a.log:stdout] from a"), p.lines.join("\n"));
      assert(p.lines.includes("[b.log:stdout] from b"), p.lines.join("\n"));
      assert(has("[1001:stdout] "), p.lines.join("\n"));
      assertEquals(p.lines.filter((l) => !/^\[(1001|a\.log|b\.log):std(out|err)\] /.test(l)), []);
    } finally {
      assertEquals((await p.stop("SIGTERM")).code, 130);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stream with --job and files: an unknown job (exit 2) or an unopenable file (exit 1) fails before any line", async () => {
  const { dir, home } = await tempHome("s9s-mix-");
  try {
    await Deno.writeTextFile(`${dir}/a.log`, "x\n");
    await Deno.writeTextFile(`${dir}/b.log`, "y\n");
    const job = await runS9s(
      ["stream", "--mock", "--job", "99999", "--path", "a.log", "--path", "b.log", "--no-follow"],
      { env: testEnv(home), cwd: dir },
    );
    assertEquals(job.stdout, "");
    assertEquals(job.code, 2);
    assertEquals(job.stderr.split("\n")[0], 'error: job "99999" was not found');
    // A missing file with --no-follow is named before the cluster is asked.
    const file = await runS9s(
      ["stream", "--mock", "--job", "1001", "--path", "a.log", "--path", "a2.log", "--no-follow"],
      { env: testEnv(home), cwd: dir },
    );
    assertEquals(file.stdout, "");
    assertEquals(
      file.stderr,
      'error: cannot open "a2.log": no such file\nhint: without --no-follow, s9s waits for a missing file to appear\n',
    );
    assertEquals(file.code, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stream --template prints the chosen event fields per line", async () => {
  const { dir, home } = await tempHome("s9s-mix-");
  try {
    await Deno.writeTextFile(`${dir}/run.out`, "step 1\nERROR: disk full\n");
    const r = await runS9s([
      "stream",
      "--path",
      `${dir}/run.out`,
      "--no-follow",
      "-q",
      "--template",
      "{{job_id}}|{{type}}|{{line_num}}|{{source}}|{{truncated}}|{{highlights}}|{{ content }}",
    ], { env: testEnv(home) });
    assertEquals(r.stderr, "");
    assertEquals(r.code, 0);
    assertEquals(
      r.stdout,
      "run.out|stdout|1|file|false||step 1\nrun.out|stdout|2|file|false|errors|ERROR: disk full\n",
    );
    const ts = await runS9s(
      ["stream", "--path", `${dir}/run.out`, "--no-follow", "-q", "--template", "{{.timestamp}}"],
      { env: testEnv(home) },
    );
    const stamps = ts.stdout.trim().split("\n");
    assertEquals(stamps.length, 2);
    for (const s of stamps) {
      assertMatch(s, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stream --template rejects an unknown field listing the valid ones, exit 2", async () => {
  const { dir, home } = await tempHome("s9s-mix-");
  try {
    const r = await runS9s(
      ["stream", "--path", "/dev/null", "--template", "{{job}} {{content}}"],
      { env: testEnv(home) },
    );
    assertEquals(r.stdout, "");
    assertEquals(
      r.stderr,
      'error: --template: unknown field "job"\n' +
        "hint: the fields are job_id, type, content, timestamp, line_num, source, truncated, highlights\n",
    );
    assertEquals(r.code, 2);
    const j = await runS9s(
      ["stream", "--path", "/dev/null", "-o", "json", "--template", "{{content}}"],
      { env: testEnv(home) },
    );
    assertEquals(j.code, 2);
    assert(j.stderr.startsWith("error: --template shapes text output"), j.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stream --mock --no-follow right after start prints the running demo job's output so far", async () => {
  const { dir, home } = await tempHome("s9s-mix-");
  try {
    // A first run's demo: job 1001 has been running for a while, as a job a user looks at has.
    const r = await runS9s(
      ["stream", "--mock", "--job", "1001", "--type", "stdout", "--no-follow", "-q"],
      { env: testEnv(home), cwd: dir },
    );
    assertEquals([r.code, r.stderr], [0, ""]);
    const lines = r.stdout.split("\n").filter(Boolean);
    assert(lines.length >= 50, `lines: ${lines.length}`);
    const steps = lines.flatMap((l) => /step=(\d+)/.exec(l)?.[1] ?? []).map(Number);
    assertEquals(steps.slice(0, 3), [1, 2, 3]);
    // Timestamps as they were written, a fifth of a second apart, not the start's own time.
    const times = lines.flatMap((l) => /^(\d\d:\d\d:\d\d\.\d{3}) INFO/.exec(l)?.[1] ?? []);
    assert(new Set(times).size >= 50, `distinct times: ${new Set(times).size}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
