import { assert, assertEquals } from "../../_helpers/assert.ts";
import { helpLines } from "../../../src/tui/model/key_table.ts";
import { helpPage, wrapHelp } from "../../../src/tui/model/help_text.ts";
import { KEY_SECTIONS } from "../../../src/tui/views/global_keys.ts";

Deno.test("wrapHelp continues a long description under its own column", () => {
  const rows = wrapHelp(["Title", "  f, Ctrl+f  filter the focused stream as you type"], 30);
  assertEquals(rows, [
    "Title",
    "  f, Ctrl+f  filter the",
    "             focused stream as",
    "             you type",
  ]);
});

Deno.test("wrapHelp keeps every word of every key table within the width", () => {
  for (const width of [36, 56, 76]) {
    for (const { table } of KEY_SECTIONS) {
      const lines = helpLines(table);
      const rows = wrapHelp(lines, width);
      assert(rows.every((r) => [...r].length <= width), `all rows fit ${width}`);
      const words = (xs: string[]) => xs.join(" ").split(/\s+/).filter(Boolean);
      assertEquals(words(rows), words(lines), "nothing lost or reordered");
    }
  }
});

Deno.test("helpPage clamps the page to the rows there are", () => {
  const rows = Array.from({ length: 10 }, (_, i) => `r${i}`);
  assertEquals(helpPage(rows, 0, 4), { top: 0, rows: ["r0", "r1", "r2", "r3"] });
  assertEquals(helpPage(rows, 9, 4), { top: 6, rows: ["r6", "r7", "r8", "r9"] });
  assertEquals(helpPage(rows, -3, 20), { top: 0, rows });
});
