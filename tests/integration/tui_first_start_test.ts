/**
 * The first start a new user sees: `deno task -q s9s --mock` on an empty Deno cache, stderr on
 * the terminal. Deno fetches npm packages and their registry metadata on first use, some only
 * when s9s loads a part lazily after the screen is drawn; none of its progress may reach the
 * screen under the UI or stay on the terminal after `q`. Needs the npm registry (as the README's
 * first command does). Also: Ctrl+L paints over whatever else wrote to the terminal.
 */
import { assert, assertStringIncludes } from "../_helpers/assert.ts";
import { withTmux } from "../_helpers/tmux.ts";

/** What Deno's download progress looks like on a terminal. */
const DENO_PROGRESS = /Download|▰|▱|npm:/;

Deno.test("TUI first start on an empty Deno cache: nothing of Deno's on the screen, during or after", async () => {
  const denoDir = await Deno.makeTempDir({ prefix: "s9s-empty-deno-dir-" });
  try {
    await withTmux(
      { task: true, stderrOnTerminal: true, env: { DENO_DIR: denoDir } },
      async (t) => {
        const clean = (s: string) => !DENO_PROGRESS.test(s);
        let s = await t.waitFor((x) => x.includes("train_model") && x.includes("big_gpu"), {
          timeout: 90_000,
        });
        assert(clean(s) && s.startsWith("┌─ Jobs"), `the jobs view, intact:\n${s}`);
        // What loads lazily: the output view (streams, history and its compressor), the monitor.
        await t.keys("o");
        s = await t.waitFor((x) => x.includes("[STDOUT]") && x.includes("lines"));
        assert(clean(s), `output view:\n${s}`);
        await t.keys("q", "C-s");
        s = await t.waitFor("Stream Monitor");
        assert(clean(s), `monitor:\n${s}`);
        await t.keys("q", "q");
        s = await t.waitFor("S9S_EXITED");
        assertStringIncludes(s, "code=0");
        assert(clean(s), `nothing left on the terminal:\n${s}`);
      },
    );
  } finally {
    await Deno.remove(denoDir, { recursive: true });
  }
});

Deno.test("TUI Ctrl+L repaints what another program wrote over the screen", async () => {
  await withTmux({}, async (t) => {
    await t.waitFor("JOBID");
    const tty = await t.display("#{pane_tty}");
    // Row 25 is empty space in the jobs box: nothing the UI draws there by itself covers it.
    await Deno.writeTextFile(tty, "\x1b[25;10HSCRIBBLE-OVER-THE-UI");
    await t.waitFor("SCRIBBLE-OVER-THE-UI");
    await t.keys("C-l");
    const s = await t.waitFor((x) => !x.includes("SCRIBBLE") && x.includes("JOBID"));
    assert(s.startsWith("┌─ Jobs"), s);
    await t.keys("q");
    await t.waitFor("S9S_EXITED");
  });
});
