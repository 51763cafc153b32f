import { assert, assertEquals } from "../../_helpers/assert.ts";
import { type PaneLine, PaneModel } from "../../../src/tui/model/pane_model.ts";
import { formatLine, safeText } from "../../../src/tui/model/line_format.ts";
import { StreamBuffer } from "../../../src/engine/stream_buffer.ts";
import { BufferBudget } from "../../../src/engine/buffer_budget.ts";

function source(n: number, first = 1) {
  const lines: PaneLine[] = Array.from(
    { length: n },
    (_, i) => ({ num: first + i, content: `line ${first + i}`, time: i }),
  );
  return {
    lines,
    get length() {
      return lines.length;
    },
    slice: (from: number, count: number) => lines.slice(from, from + count),
  };
}
const nums = (ls: PaneLine[]) => ls.map((l) => l.num);

Deno.test("PaneModel follows the newest lines, stops when scrolled up and resumes at the end", () => {
  const src = source(100);
  const m = new PaneModel("1", "stdout");
  assertEquals(nums(m.visible(src, 3)), [98, 99, 100]);
  m.scrollUp(src, 5, 3);
  assertEquals(nums(m.visible(src, 3)), [93, 94, 95]);
  src.lines.push({ num: 101, content: "line 101", time: 101 });
  assertEquals(nums(m.visible(src, 3)), [93, 94, 95], "scrolled view does not move");
  m.scrollDown(src, 100);
  assert(m.following, "scrolling to the end follows again");
  m.home(src, 3);
  assertEquals(nums(m.visible(src, 3)), [1, 2, 3]);
  m.scrollUp(src, 10, 3);
  assertEquals(nums(m.visible(src, 3)), [1, 2, 3], "never past the oldest line");
});

Deno.test("PaneModel pause freezes the view and counts waiting lines; filter", () => {
  const src = source(50);
  const m = new PaneModel("1", "stdout");
  m.togglePause(50);
  src.lines.push({ num: 51, content: "line 51", time: 51 });
  assertEquals(nums(m.visible(src, 2)), [49, 50]);
  assertEquals(m.waiting(51), 1);
  m.togglePause(51);
  assertEquals(nums(m.visible(src, 2)), [50, 51]);
  m.setFilter("line \\d*7$", (p) => new RegExp(p));
  assertEquals(nums(m.visible(src, 3)), [27, 37, 47]);
});

/** A real scroll-back holding "line 1" … "line n", most of it compressed. */
function buffer(n: number): StreamBuffer {
  const b = new StreamBuffer({
    maxLines: 100,
    maxBytes: 1 << 20,
    budget: new BufferBudget(64 << 20),
  });
  for (let first = 1; first <= n; first += 50) {
    let text = "";
    for (let i = first; i < first + 50; i++) text += `line ${i}\n`;
    b.append({ text, count: 50, firstLine: first, startOffset: 0, endOffset: 0, time: first });
  }
  return b;
}

Deno.test("PaneModel search goes through the engine's scroll-back search, filter and pause applied", async () => {
  const b = buffer(1000);
  try {
    assert(b.chunkMemory > 0, "old lines are compressed: the search must read every tier");
    const src = b.all;
    const m = new PaneModel("1", "stdout");
    m.search = /^line 1\d\d$/;
    assert(await m.findNext(src, b, 3, true), "finds an older match in a compressed chunk");
    assertEquals(nums(m.visible(src, 3)), [199, 200, 201], "the match sits at the top");
    assert(await m.findNext(src, b, 3, true));
    assertEquals(nums(m.visible(src, 3))[0], 198);
    assert(!(await m.findNext(src, b, 3, false)), "no newer match below the view");
    m.home(src, 3);
    assert(await m.findNext(src, b, 3, false), "finds a newer match");
    assertEquals(nums(m.visible(src, 3)), [98, 99, 100], "the newer match sits at the bottom");
    // The filter hides some matches: they are skipped.
    m.setFilter("5$", (p) => new RegExp(p));
    m.end();
    assert(await m.findNext(src, b, 3, true));
    assertEquals(nums(m.visible(src, 3)), [195, 205, 215]);
    assert(await m.findNext(src, b, 3, true));
    assertEquals(nums(m.visible(src, 3))[0], 185);
    // Nothing older than the first match.
    m.home(src, 3);
    m.search = /^line [1-4]$/;
    assert(!(await m.findNext(src, b, 3, true)), "no older match left");
    // A pause hides newer lines from the search too.
    m.setFilter("", (p) => new RegExp(p));
    m.togglePause(500);
    m.search = /^line 9\d\d$/;
    assert(!(await m.findNext(src, b, 3, false)), "matches after the pause are not shown");
  } finally {
    b.close();
  }
});

Deno.test("PaneModel does not count as scrolled when nothing is hidden below", () => {
  const src = source(2);
  const m = new PaneModel("1", "stdout");
  m.scrollUp(src, 1, 10);
  assert(m.following && !m.scrolledBack(src), "Up with everything in view changes nothing");
  m.home(src, 10);
  assert(m.following && !m.scrolledBack(src), "Home with everything in view keeps following");
  const long = source(30);
  m.scrollUp(long, 5, 10);
  assert(m.scrolledBack(long), "scrolled up over newer lines");
  m.end();
  assert(!m.scrolledBack(long));
});

Deno.test("formatLine keeps SGR colors, shows other controls visibly and colors highlights", () => {
  const l = (content: string): PaneLine => ({ num: 1, content, time: 0 });
  assertEquals(formatLine(l("a\x1b[2Jb\x1b]0;t\x07c")), "a␛[2Jb␛]0;t␇c");
  assertEquals(formatLine(l("reset\x1bc!")), "reset␛c!");
  assertEquals(
    formatLine(l("ERROR x"), { highlights: [{ color: "red", regex: /error/i }] }),
    "\x1b[31mERROR x\x1b[0m",
  );
  assertEquals(
    formatLine(l("\x1b[35mjob\x1b[0m"), { highlights: [{ color: "red", regex: /job/ }] }),
    "\x1b[35mjob\x1b[0m",
  );
  assertEquals(formatLine(l("a b a"), { search: /a/ }), "\x1b[7ma\x1b[27m b \x1b[7ma\x1b[27m");
});

Deno.test("safeText shows C1, bidi and non-SGR escapes as visible text of their own width", () => {
  assertEquals(safeText("plain\ttext"), "plain\ttext");
  assertEquals(safeText("\x1b[1;31mred\x1b[0m"), "\x1b[1;31mred\x1b[0m");
  assertEquals(safeText("abc\u202edef"), "abc\\u202edef");
  assertEquals(safeText("\u2066x\u2069\u202a\u202c"), "\\u2066x\\u2069\\u202a\\u202c");
  assertEquals(safeText("c1\u009b2J \u0085"), "c1\\u009b2J \\u0085");
  assertEquals(safeText("\x1bc\x1bP1$q\x1b\\"), "␛c␛P1$q␛\\");
  assertEquals(safeText("bell\x07 del\x7f nul\x00 cr\r"), "bell␇ del␡ nul␀ cr␍");
  // Whatever comes in, nothing but SGR sequences is left for the terminal to act on.
  let junk = "";
  for (let i = 0; i < 2000; i++) junk += String.fromCharCode((i * 7919) % 0x2100);
  const out = safeText(junk + "\x1b[32mok\x1b[0m");
  // deno-lint-ignore no-control-regex
  const leftover = out.replace(/\x1b\[[0-9;]*m/g, "");
  assert(
    // deno-lint-ignore no-control-regex
    !/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/.test(leftover),
    "no control character survives",
  );
});
