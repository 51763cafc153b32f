/**
 * The Stream Monitor's layout at several terminal sizes and across resizes, in real tmux.
 */
import { assert, assertStringIncludes } from "../_helpers/assert.ts";
import { addStream, type TmuxSession, withTmux } from "../_helpers/tmux.ts";

/** Check the monitor frame, the panes and the status bar fill a `width`×`height` screen soundly. */
async function assertSound(
  t: TmuxSession,
  width: number,
  height: number,
  panes: number,
): Promise<void> {
  const screen = await t.waitFor((s) => {
    const lines = s.replace(/\n$/, "").split("\n");
    return lines.length === height && lines[0].startsWith("┌─ Stream Monitor") &&
      [...lines[0]].length === width && (s.match(/┌─ (▶ )?Job /g) ?? []).length === panes &&
      lines[height - 1].includes(`Streams: ${panes} |`);
  }, { timeout: 10_000 });
  const lines = screen.replace(/\n$/, "").split("\n");
  // The frame is closed: its bottom corner sits right above the message and status lines.
  assert(
    lines[height - 3].startsWith("└") && lines[height - 3].trimEnd().endsWith("┘"),
    `frame bottom:\n${screen}`,
  );
  for (let i = 1; i < height - 3; i++) {
    assert(
      lines[i].startsWith("│") && [...lines[i].trimEnd()].at(-1) === "│",
      `frame sides, line ${i}:\n${screen}`,
    );
  }
  // Every pane is closed too: as many bottom-left as top-left corners inside the frame.
  const tops = (screen.match(/┌/g) ?? []).length - 1;
  const bottoms = (screen.match(/└/g) ?? []).length - 1;
  assert(
    tops === panes && bottoms === panes,
    `${panes} closed panes, got ${tops}/${bottoms}:\n${screen}`,
  );
}

Deno.test("TUI Stream Monitor layout stays sound at 120×36, 80×24 and 200×60", async () => {
  await withTmux({}, async (t) => {
    await t.waitFor("train_model");
    await t.keys("C-s");
    await addStream(t, "1001", 0);
    await addStream(t, "1001", 1);
    await addStream(t, "1006_1", 0);
    await assertSound(t, 120, 36, 3);
    await t.resize(80, 24);
    await assertSound(t, 80, 24, 3);
    await t.resize(200, 60);
    await assertSound(t, 200, 60, 3);
    // The array task writes a line a second: wait for its first one to reach the pane.
    await t.waitFor("task 1: param=0.1");
    await t.resize(80, 24);
    await assertSound(t, 80, 24, 3);
    await t.keys("q", "q");
    assertStringIncludes(await t.waitFor("S9S_EXITED"), "code=0 tty=icanon");
  });
});

Deno.test("TUI at 80×24 from the start: jobs view and monitor fit", async () => {
  await withTmux({ width: 80, height: 24 }, async (t) => {
    const jobs = await t.waitFor("train_model");
    assert(jobs.split("\n").every((l) => [...l].length <= 80), "no line wider than the terminal");
    await t.keys("C-s");
    await addStream(t, "1001", 0);
    await assertSound(t, 80, 24, 1);
    // The monitor's help is taller than 24 rows: it wraps to the width and scrolls.
    await t.keys("?");
    let help = await t.waitFor("Help: Stream Monitor");
    assert(help.split("\n").every((l) => [...l].length <= 80), "help fits the width");
    assert(!help.includes("close the monitor"), "the last action is below the fold");
    await t.keys("PageDown", "PageDown");
    help = await t.waitFor("close the monitor (streams keep running)");
    assertStringIncludes(help, "Ctrl+c");
    await t.keys("Escape");
    await t.waitFor((x) => !x.includes("Help: Stream Monitor"));
    await t.keys("C-c");
    assertStringIncludes(await t.waitFor("S9S_EXITED"), "code=0 tty=icanon");
  });
});
