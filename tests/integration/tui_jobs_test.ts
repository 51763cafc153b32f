/**
 * The terminal UI's jobs and output views, driven in real tmux against the mock cluster.
 */
import { assert, assertStringIncludes } from "../_helpers/assert.ts";
import { withTmux } from "../_helpers/tmux.ts";

const maxStep = (screen: string) =>
  Math.max(0, ...[...screen.matchAll(/step=(\d+)/g)].map((m) => Number(m[1])));

Deno.test("TUI jobs view lists jobs, searches, shows help, and q gives the terminal back", async () => {
  await withTmux({}, async (t) => {
    const screen = await t.waitFor((s) => s.includes("train_model") && s.includes("JOBID"));
    for (
      const h of [
        "JOBID",
        "NAME",
        "USER",
        "STATE",
        "ELAPSED",
        "NODES",
        "RUNNING",
        "PENDING",
        "1006_2",
      ]
    ) {
      assertStringIncludes(screen, h);
    }
    assert((await t.terminalState()).alternate, "the UI runs in the alternate screen");
    await t.keys("?");
    await t.waitFor("Help: Jobs");
    await t.keys("x");
    await t.waitFor((s) => !s.includes("Help: Jobs"));
    await t.keys("/");
    await t.type("sweep");
    const found = await t.waitFor((s) => s.includes("/sweep/") && !s.includes("train_model"));
    assertStringIncludes(found, "1006_1");
    await t.keys("Enter");
    await t.waitFor((s) => !s.includes("Search jobs"));
    await t.keys("Escape");
    await t.waitFor("train_model");
    await t.keys("q");
    const after = await t.waitFor("S9S_EXITED");
    assertStringIncludes(
      after,
      "S9S_EXITED code=0 tty=icanon",
      "exit code 0 and the tty is back in canonical mode",
    );
    assert(!after.includes("JOBID") && !after.includes("─"), `no UI left on the screen:\n${after}`);
    const st = await t.terminalState();
    assert(
      !st.alternate && st.cursor,
      `alternate screen left and cursor shown: ${JSON.stringify(st)}`,
    );
  });
});

Deno.test("TUI search prompt opens with the last query selected: typing replaces it", async () => {
  await withTmux({}, async (t) => {
    await t.waitFor("train_model");
    await t.keys("/");
    await t.type("train_model");
    await t.keys("Enter");
    await t.waitFor((s) => !s.includes("Search jobs") && !s.includes("preprocess"));
    await t.keys("/");
    await t.waitFor("Search jobs: train_model");
    await t.type("preproc");
    const s = await t.waitFor((x) => x.includes("Search jobs: preproc") && x.includes("1002"));
    assert(!s.includes("train_model"), `the new query replaced the old one:\n${s}`);
    await t.keys("Enter", "C-c");
    await t.waitFor("S9S_EXITED");
  });
});

Deno.test("TUI output view: o opens a job at its newest line, live; s keeps it live (o, then s), then stops and starts it, Tab shows stderr, Esc goes back", async () => {
  // 16 rows: the pane holds about 10 lines, so the job soon writes more than fits.
  await withTmux({ height: 16 }, async (t) => {
    // train_model writes 5 lines a second: after 5 s, more than the pane holds.
    await t.waitFor(/1001\s+train_model\s+\S+\s+RUNNING\s+0:(0[5-9]|[1-5]\d)/, {
      timeout: 20_000,
    });
    await t.keys("/");
    await t.type("train_model");
    await t.keys("Enter", "o");
    let s = await t.waitFor((x) =>
      x.includes("Job 1001 train_model [STDOUT]") && /step=\d+/.test(x)
    );
    assertStringIncludes(s, "● LIVE", "opens streaming");
    assert(!/step=1 /.test(s) && maxStep(s) >= 20, `opens at the newest lines:\n${s}`);
    // "Press o to view the output, then s to start streaming": the lines keep coming.
    await t.keys("s");
    s = await t.waitFor("s again stops");
    const opened = maxStep(s);
    s = await t.waitFor((x) => maxStep(x) >= opened + 3, { timeout: 10_000 });
    assertStringIncludes(s, "● LIVE");
    await t.keys("s");
    s = await t.waitFor("STATIC");
    await t.keys("s");
    s = await t.waitFor((x) => x.includes("● LIVE") && /step=\d+/.test(x));
    const before = maxStep(s);
    s = await t.waitFor((x) => maxStep(x) >= before + 3, { timeout: 10_000 });
    assertStringIncludes(s, "● LIVE");
    // Scrolling up stops following once there is more than fits; End resumes it.
    await t.waitFor((x) => Number(/(\d+) lines/.exec(x)?.[1] ?? 0) > 20, { timeout: 20_000 });
    await t.keys("PageUp");
    s = await t.waitFor("LIVE (scrolled");
    const frozen = maxStep(s);
    await t.keys("End");
    s = await t.waitFor((x) => x.includes("● LIVE") && maxStep(x) > frozen);
    await t.keys("Tab");
    await t.waitFor("[STDERR]");
    await t.keys("Escape");
    await t.waitFor((x) => x.includes("JOBID") && !x.includes("[STDERR]"));
    await t.keys("C-c");
    const end = await t.waitFor("S9S_EXITED");
    assertStringIncludes(end, "code=0 tty=icanon");
  });
});
