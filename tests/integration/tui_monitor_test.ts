/**
 * The Stream Monitor, driven in real tmux against the mock cluster: every key of the guide's
 * table, checked on the captured screen.
 */
import { assert, assertStringIncludes } from "../_helpers/assert.ts";
import { addStream, withTmux } from "../_helpers/tmux.ts";

/** The left half of each screen line (the first pane when two sit side by side). */
const leftHalf = (screen: string, width = 120) =>
  screen.split("\n").map((l) => [...l].slice(0, width / 2).join(""));
const steps = (lines: string[]) =>
  lines.flatMap((l) => [...l.matchAll(/step=(\d+)/g)].map((m) => Number(m[1])));

Deno.test("TUI Stream Monitor: +, ←/→, f, p, c, s, r, -, m and q do what the guide's table says", async () => {
  await withTmux({}, async (t) => {
    await t.waitFor("train_model");
    await t.keys("C-s");
    await t.waitFor((s) =>
      s.includes("Stream Monitor") && s.includes("No streams yet") && s.includes("Streams: 0")
    );
    await addStream(t, "1001", 0);
    await addStream(t, "1001", 1);
    let s = await t.waitFor((x) => x.includes("Streams: 2 | Active: 2") && /step=\d+/.test(x));
    assertStringIncludes(s, "▶ Job 1001 [STDERR]", "the new pane has the focus");
    assertStringIncludes(s, "RUNNING live");

    // ←/→ move the focus.
    await t.keys("Left");
    await t.waitFor("▶ Job 1001 [STDOUT]");
    await t.keys("Right");
    await t.waitFor("▶ Job 1001 [STDERR]");
    await t.keys("Left");
    await t.waitFor("▶ Job 1001 [STDOUT]");

    // f: a regex applied live to the focused pane only.
    await t.keys("f");
    await t.waitFor("Filter (regex");
    await t.type("step=\\d*5 ");
    await t.keys("Enter");
    s = await t.waitFor((x) =>
      x.includes("filter /step=\\d*5 /") && steps(leftHalf(x)).length >= 2
    );
    const shown = steps(leftHalf(s));
    assert(shown.every((n) => n % 10 === 5), `only matching lines in the filtered pane: ${shown}`);
    // A bad regex is reported in the status line and the old filter stays.
    await t.keys("f", "C-u");
    await t.type("([");
    await t.keys("Enter");
    s = await t.waitFor("is not a valid regex");
    assertStringIncludes(s, "filter /step=\\d*5 /");
    // Ctrl+f opens the same prompt; an empty pattern removes the filter.
    await t.keys("C-f");
    await t.waitFor("Filter (regex");
    await t.keys("C-u", "Enter");
    await t.waitFor((x) => x.includes("filter removed") && !x.includes("filter /"));

    // p: pause; lines keep buffering and the count of waiting lines grows.
    await t.keys("p");
    s = await t.waitFor(/PAUSED [1-9]\d* waiting/, { timeout: 10_000 });
    const frozen = Math.max(...steps(leftHalf(s)));
    s = await t.waitFor(/PAUSED ([2-9]|\d{2,}) waiting/, { timeout: 10_000 });
    assert(Math.max(...steps(leftHalf(s))) === frozen, "a paused pane does not move");
    assertStringIncludes(s, "paused", "the title shows the paused state");
    await t.keys("p");
    s = await t.waitFor((x) => !x.includes("PAUSED") && Math.max(...steps(leftHalf(x))) > frozen);

    // c: clear the buffer; only lines written afterwards show.
    const lastBefore = Math.max(...steps(leftHalf(s)));
    await t.keys("c");
    s = await t.waitFor("cleared job 1001 stdout");
    const after = steps(leftHalf(s));
    assert(
      after.every((n) => n > lastBefore - 1),
      `cleared lines are gone: ${after} (last before ${lastBefore})`,
    );

    await t.waitFor((x) => steps(leftHalf(x)).length > 0, { timeout: 10_000 });

    // s: save to a file (default path in the persistence directory).
    await t.keys("s");
    s = await t.waitFor("Save to:");
    assertStringIncludes(s, `${t.home}/.s9s/stream_history/1001-stdout-`);
    await t.keys("Enter");
    await t.waitFor(/saved [1-9]\d* lines? of job 1001 stdout to /);
    const dir = `${t.home}/.s9s/stream_history`;
    // The history recorder's own files (*.gz, index) share the directory.
    const files = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".log"));
    assert(
      files.length === 1 && /^1001-stdout-\d{8}-\d{6}\.log$/.test(files[0]),
      `one saved file: ${files}`,
    );
    const saved = await Deno.readTextFile(`${dir}/${files[0]}`);
    assert(/step=\d+/.test(saved), "the file holds the pane's lines");

    // r: restart reads the file again from its start.
    await t.keys("r");
    s = await t.waitFor((x) =>
      x.includes("restarted job 1001 stdout") && /step=\d+/.test(leftHalf(x).join("\n"))
    );
    assertStringIncludes(s, "Streams: 2 | Active: 2");

    // m: merged view ordered by time, and back.
    await t.keys("m");
    s = await t.waitFor("All streams by time");
    assert(s.includes("1001:out"), "merged lines are tagged with their stream");
    await t.keys("m");
    await t.waitFor((x) => !x.includes("All streams by time") && x.includes("▶ Job 1001 [STDOUT]"));

    // ?: help in the monitor.
    await t.keys("?");
    await t.waitFor("Help: Stream Monitor");
    await t.keys("Escape");
    await t.waitFor((x) => !x.includes("Help: Stream Monitor"));

    // -: remove the focused pane.
    await t.keys("-");
    s = await t.waitFor((x) => x.includes("Streams: 1 |") && !x.includes("[STDOUT]"));
    assertStringIncludes(s, "Job 1001 [STDERR]");

    // q: close the monitor, back to the jobs view.
    await t.keys("q");
    await t.waitFor((x) => x.includes("JOBID") && !x.includes("Stream Monitor"));
    await t.keys("q");
    assertStringIncludes(await t.waitFor("S9S_EXITED"), "code=0 tty=icanon");
  });
});

Deno.test("TUI Stream Monitor enforces max_concurrent_streams with a message", async () => {
  const config = await Deno.makeTempFile({ suffix: ".yaml" });
  await Deno.writeTextFile(config, "streaming:\n  max_concurrent_streams: 1\n");
  try {
    await withTmux({ env: { S9S_CONFIG: config } }, async (t) => {
      await t.waitFor("train_model");
      await t.keys("C-s");
      await t.waitFor("Streams: 0");
      await addStream(t, "1001", 0);
      await t.keys("+", "Enter");
      await t.waitFor("Job id:");
      await t.type("1001");
      await t.keys("Enter");
      await t.waitFor("which output?");
      await t.keys("Down", "Enter");
      const s = await t.waitFor("max_concurrent_streams");
      assertStringIncludes(s, "Streams: 1 |");
      assert(!s.includes("[STDERR]"), "no second pane");
      await t.keys("C-c");
      assertStringIncludes(await t.waitFor("S9S_EXITED"), "code=0 tty=icanon");
    });
  } finally {
    await Deno.remove(config);
  }
});

Deno.test("TUI search (/ n N) reaches lines already compressed out of memory", async () => {
  const dir = await Deno.makeTempDir({ prefix: "s9s-tui-search-" });
  const config = `${dir}/config.yaml`;
  const file = `${dir}/job.out`;
  // 1,000 lines in memory at most: the first needles are long compressed when searched for.
  await Deno.writeTextFile(config, "streaming:\n  buffer:\n    max_lines: 1000\n");
  const lines = Array.from({ length: 20_000 }, (_, i) => `filler ${i + 1}`);
  lines[6] = "needle one";
  lines[14_999] = "needle two";
  await Deno.writeTextFile(file, lines.join("\n") + "\n");
  try {
    await withTmux({ env: { S9S_CONFIG: config, S9S_TUI_STREAM_PATH: file } }, async (t) => {
      await t.waitFor("filler 20000");
      await t.keys("/");
      await t.waitFor("Search (regex");
      await t.type("needle");
      await t.keys("Enter");
      let s = await t.waitFor("needle two");
      assert(!s.includes("filler 20000"), "the view moved to the match");
      await t.keys("n");
      s = await t.waitFor("needle one");
      assertStringIncludes(s, "filler 8", "the match sits at the top of the pane");
      await t.keys("n");
      await t.waitFor("no older match for /needle/");
      await t.keys("N");
      await t.waitFor((x) => x.includes("needle two") && !x.includes("needle one"));
      await t.keys("C-c");
      assertStringIncludes(await t.waitFor("S9S_EXITED"), "code=0 tty=icanon");
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
