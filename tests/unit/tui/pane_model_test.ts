import { assert, assertEquals } from "../../_helpers/assert.ts";
import { type PaneLine, PaneModel } from "../../../src/tui/model/pane_model.ts";
import { formatLine } from "../../../src/tui/model/line_format.ts";

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

Deno.test("PaneModel pause freezes the view and counts waiting lines; filter and search", () => {
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
  m.search = /line 1\d$/;
  assert(m.findNext(src, 2, true), "finds an older match");
  assertEquals(nums(m.visible(src, 2)), [17, 27]);
  assert(!m.findNext(src, 2, true), "no older match left");
});

Deno.test("formatLine neutralises control sequences and colors highlights", () => {
  const l = (content: string): PaneLine => ({ num: 1, content, time: 0 });
  assertEquals(formatLine(l("a\x1b[2Jb\x1b]0;t\x07c")), "a\u241b[2Jb\u241b]0;t\u2407c");
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
