import { assertEquals } from "../../_helpers/assert.ts";
import { fitLine, visibleWidth } from "../../../src/tui/model/text_fit.ts";

Deno.test("fitLine wraps by visible width and keeps SGR colors on every row", () => {
  assertEquals(fitLine("abcdefgh", 3, true), ["abc", "def", "gh"]);
  assertEquals(fitLine("\x1b[31mabcdef\x1b[0m", 4, true), [
    "\x1b[31mabcd\x1b[0m",
    "\x1b[31mef\x1b[0m",
  ]);
  assertEquals(visibleWidth("\x1b[31mab\x1b[0m日"), 4);
});

Deno.test("fitLine without wrap cuts to the width with an ellipsis", () => {
  assertEquals(fitLine("abcdefgh", 5, false), ["abcd…"]);
  assertEquals(fitLine("abc", 5, false), ["abc"]);
  assertEquals(fitLine("\x1b[32mabcdefgh\x1b[0m", 4, false), ["\x1b[32mabc…\x1b[0m"]);
});
