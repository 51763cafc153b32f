/**
 * TUI defects a new user met (issue 10), and control characters in job output (issue 11),
 * each reproduced in real tmux.
 */
import { assert, assertStringIncludes } from "../_helpers/assert.ts";
import { withTmux } from "../_helpers/tmux.ts";

/** A file for the monitor to follow (S9S_TUI_STREAM_PATH opens it at start). */
async function withFile(
  text: string,
  fn: (file: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "s9s-tui-defects-" });
  const file = `${dir}/job.out`;
  await Deno.writeTextFile(file, text);
  try {
    await fn(file);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("TUI add-stream picker: a job id typed on the first row is used, Enter on it empty waits", async () => {
  await withTmux({}, async (t) => {
    await t.waitFor("train_model");
    await t.keys("C-s");
    await t.waitFor("No streams yet");
    await t.keys("+");
    await t.waitFor("Add stream: pick a job");
    // Enter before typing anything: no empty prompt, the picker stays.
    await t.keys("Enter");
    let s = await t.waitFor("Job id: █");
    assertStringIncludes(s, "Add stream: pick a job", "the picker is still open");
    await t.type("1001");
    s = await t.waitFor("Job id: 1001█");
    await t.keys("Enter");
    await t.waitFor("Job 1001: which output?");
    await t.keys("Enter");
    await t.waitFor("Job 1001 [STDOUT]");
    // From a job row, digits go to the id row too (j/k/q still move and close).
    await t.keys("+");
    await t.waitFor("Add stream: pick a job");
    await t.keys("Down", "Down");
    await t.type("1002");
    await t.waitFor("Job id: 1002█");
    await t.keys("Enter");
    await t.waitFor("Job 1002: which output?");
    await t.keys("Down", "Enter");
    s = await t.waitFor("Job 1002 [STDERR]");
    assertStringIncludes(s, "Streams: 2 |");
    await t.keys("C-c");
    assertStringIncludes(await t.waitFor("S9S_EXITED"), "code=0 tty=icanon");
  });
});

Deno.test("TUI empty monitor: a popup leaves no stray letters of the hint beside it", async () => {
  await withTmux({}, async (t) => {
    await t.waitFor("train_model");
    await t.keys("C-s");
    await t.waitFor("No streams yet");
    await t.keys("+");
    const s = await t.waitFor("Add stream: pick a job");
    const rows = s.split("\n").map((l) => [...l]);
    const top = rows.findIndex((r) => r.join("").includes("Add stream: pick a job"));
    const left = rows[top].indexOf("┌");
    const right = rows[top].lastIndexOf("┐");
    const bottom = rows.findIndex((r, i) => i > top && r[left] === "└");
    assert(top > 0 && left > 0 && right > left && bottom > top, `a popup box:\n${s}`);
    // Inside the monitor's border, outside the popup: nothing but blanks.
    const end = rows.findIndex((r, i) => i > bottom && r[0] === "└");
    for (let y = 1; y < end; y++) {
      const stray = rows[y].filter((ch, x) => {
        if (x === 0 || x >= 119) return false; // the monitor's border
        if (y >= top && y <= bottom && x >= left && x <= right) return false; // the popup
        return ch !== " ";
      });
      assert(stray.length === 0, `stray cells on row ${y}: "${stray.join("")}"\n${s}`);
    }
    await t.keys("Escape");
    await t.waitFor((x) => x.includes("No streams yet") && !x.includes("Add stream"));
    // Pane keys without a pane say what to do.
    await t.keys("/");
    await t.waitFor("no stream: press + to add one");
    await t.keys("C-c");
    assertStringIncludes(await t.waitFor("S9S_EXITED"), "code=0 tty=icanon");
  });
});

Deno.test("TUI pane: '1 line', and no 'scrolled' while nothing is hidden below", async () => {
  await withFile("only line\n", async (file) => {
    await withTmux({ env: { S9S_TUI_STREAM_PATH: file } }, async (t) => {
      let s = await t.waitFor("only line");
      assert(/│1 line\s/.test(s) && !s.includes("1 lines"), `singular:\n${s}`);
      await Deno.writeTextFile(file, "second line\n", { append: true });
      await t.waitFor("2 lines");
      // Up, PgUp and Home with every line in view: the pane still follows.
      // (`t` after them shows when they have been handled: keys are read in order.)
      await t.keys("Up", "PageUp", "Home", "t");
      await t.waitFor("timestamps on");
      await Deno.writeTextFile(file, "third line\n", { append: true });
      s = await t.waitFor("third line");
      assert(!s.includes("scrolled"), `not scrolled:\n${s}`);
      // With more lines than fit, scrolling up is shown, and End follows again.
      const more = Array.from({ length: 80 }, (_, i) => `more ${i + 1}`).join("\n") + "\n";
      await Deno.writeTextFile(file, more, { append: true });
      await t.waitFor("more 80");
      await t.keys("PageUp");
      await t.waitFor("scrolled (End follows)");
      await t.keys("End");
      s = await t.waitFor((x) => x.includes("more 80") && !x.includes("scrolled"));
      await t.keys("C-c");
      assertStringIncludes(await t.waitFor("S9S_EXITED"), "code=0 tty=icanon");
    });
  });
});

Deno.test("TUI bad filter: a message in the UI's terms, wrapped to fit a narrow screen", async () => {
  await withFile("alpha\nbeta\n", async (file) => {
    await withTmux({ width: 60, height: 20, env: { S9S_TUI_STREAM_PATH: file } }, async (t) => {
      await t.waitFor("beta");
      await t.keys("f");
      await t.waitFor("Filter (regex");
      await t.type("([");
      await t.keys("Enter");
      const s = await t.waitFor((x) => x.replace(/\n/g, "").includes("no filter is applied"));
      const flat = s.replace(/\n/g, "");
      assertStringIncludes(
        flat,
        "error: filter /([/ is not a valid regex: Unterminated character class; no filter is applied",
      );
      assert(!/quot|--filter/.test(s), `no CLI quoting advice:\n${s}`);
      assert(s.split("\n").every((l) => [...l].length <= 60), "nothing past the screen edge");
      assertStringIncludes(s, "alpha", "the pane is unfiltered");
      await t.keys("C-c");
      assertStringIncludes(await t.waitFor("S9S_EXITED"), "code=0 tty=icanon");
    });
  });
});

Deno.test("TUI shows bidi, C1 and non-SGR escapes visibly, with every pane border in place", async () => {
  const lines = [
    "bidi left\u202eright end",
    "isolate \u2066inside\u2069 out \u202aemb\u202c",
    "c1 \u009b2J and \u0085 next",
    "reset \x1bc after",
    "title \x1b]0;pwned\x07 set",
    "\x1b[32mgreen stays\x1b[0m",
  ];
  await withFile(lines.join("\n") + "\n", async (file) => {
    await withTmux({ env: { S9S_TUI_STREAM_PATH: file } }, async (t) => {
      const s = await t.waitFor("green stays");
      assertStringIncludes(s, "bidi left\\u202eright end");
      assertStringIncludes(s, "isolate \\u2066inside\\u2069 out \\u202aemb\\u202c");
      assertStringIncludes(s, "c1 \\u009b2J and \\u0085 next");
      assertStringIncludes(s, "reset ␛c after");
      assertStringIncludes(s, "title ␛]0;pwned␇ set");
      assertStringIncludes(s, "Stream Monitor", "the terminal was not reset");
      // Each row of the monitor keeps its right border in the last column: no cell went astray.
      const rows = s.split("\n").slice(0, 34);
      for (const [i, row] of rows.entries()) {
        const cells = [...row];
        assert(cells.length === 120 && "│┐┘".includes(cells[119]), `row ${i} intact: "${row}"`);
      }
      const colored = await t.capture({ escapes: true });
      assert(
        // deno-lint-ignore no-control-regex
        /\x1b\[[0-9;]*32[0-9;]*mgreen stays/.test(colored),
        "SGR colors still reach the screen",
      );
      await t.keys("C-c");
      assertStringIncludes(await t.waitFor("S9S_EXITED"), "code=0 tty=icanon");
    });
  });
});
