/**
 * What job output can and cannot do to the screen: SGR colors render, config highlights color
 * lines, every other control sequence is neutralised, blessed tags are shown as text, and `\r`
 * progress collapses to its latest state. Real tmux; the monitor follows a plain file.
 */
import { assert, assertStringIncludes } from "../_helpers/assert.ts";
import { withTmux } from "../_helpers/tmux.ts";

Deno.test("TUI renders SGR colors and highlights, neutralises other control sequences and tags", async () => {
  const dir = await Deno.makeTempDir({ prefix: "s9s-tui-render-" });
  const file = `${dir}/job.out`;
  await Deno.writeTextFile(
    file,
    [
      "\x1b[35mmagenta from the job\x1b[0m",
      "before\x1b[2J\x1b[Hafter clear",
      "title\x1b]0;pwned\x07 set",
      "{bold}braces{/bold} stay text",
      "ERROR: something broke",
      "WARNING: careful now",
      "Progress: 50% done",
      "plain line",
      "",
    ].join("\n"),
  );
  try {
    await withTmux({ env: { S9S_TUI_STREAM_PATH: file } }, async (t) => {
      let s = await t.waitFor("plain line");
      assertStringIncludes(s, "before␛[2J␛[Hafter clear");
      assertStringIncludes(s, "title␛]0;pwned␇ set");
      assertStringIncludes(s, "{bold}braces{/bold} stay text");
      assertStringIncludes(s, "Stream Monitor", "the screen was not cleared by the job");
      const colored = await t.capture({ escapes: true });
      const colorOf = (text: string) => {
        const line = colored.split("\n").find((l) => l.includes(text)) ?? "";
        // deno-lint-ignore no-control-regex
        return /\x1b\[([0-9;]*)m[^\x1b]*$/.exec(line.slice(0, line.indexOf(text)))?.[1] ?? "";
      };
      assert(
        /(^|;)35(;|$)/.test(colorOf("magenta from the job")),
        `job SGR rendered: ${colorOf("magenta")}`,
      );
      assert(/(^|;)31(;|$)/.test(colorOf("ERROR: something broke")), "errors red");
      assert(/(^|;)33(;|$)/.test(colorOf("WARNING: careful now")), "warnings yellow");
      assert(/(^|;)32(;|$)/.test(colorOf("Progress: 50% done")), "progress green");
      const plain = colorOf("plain line");
      assert(
        !/(^|;)3[1-35](;|$)/.test(plain),
        `plain lines are not highlighted: ${JSON.stringify(plain)}`,
      );
      // A `\r` progress bar shows only its latest state.
      await Deno.writeTextFile(file, "bar  10%\rbar  60%\rbar 100%\n", { append: true });
      s = await t.waitFor("bar 100%");
      assert(!s.includes("bar  10%") && !s.includes("bar  60%"), "earlier \\r states are gone");
      await t.keys("q", "q");
      assertStringIncludes(await t.waitFor("S9S_EXITED"), "code=0 tty=icanon");
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
