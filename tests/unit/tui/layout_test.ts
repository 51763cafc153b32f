import { assert, assertEquals } from "../../_helpers/assert.ts";
import { gridLayout, MIN_PANE_HEIGHT, MIN_PANE_WIDTH } from "../../../src/tui/model/layout.ts";

Deno.test("gridLayout tiles the area exactly, without overlap, for 1 to 12 panes", () => {
  for (const [w, h] of [[78, 20], [118, 32], [198, 56]]) {
    for (let n = 1; n <= 12; n++) {
      const g = gridLayout(n, w, h);
      const cells = new Set<string>();
      for (const r of g.rects) {
        assert(
          r.left >= 0 && r.top >= 0 && r.left + r.width <= w && r.top + r.height <= h,
          "inside the area",
        );
        assert(
          r.width >= MIN_PANE_WIDTH && r.height >= MIN_PANE_HEIGHT,
          `pane big enough at ${w}x${h} n=${n}`,
        );
        for (let y = r.top; y < r.top + r.height; y++) {
          for (let x = r.left; x < r.left + r.width; x++) {
            const k = `${x},${y}`;
            assert(!cells.has(k), "no overlap");
            cells.add(k);
          }
        }
      }
      if (g.shown.length === n) assertEquals(cells.size, w * h, `covers ${w}x${h} with ${n} panes`);
    }
  }
});

Deno.test("gridLayout pages around the focused pane when not all fit", () => {
  const g = gridLayout(30, 78, 20, 25);
  assert(g.shown.length < 30 && g.shown.includes(25), `focus shown: ${g.shown}`);
  assertEquals(gridLayout(0, 80, 24).rects, []);
});
