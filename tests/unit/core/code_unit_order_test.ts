import { assertEquals } from "../../_helpers/assert.ts";
import { byCodeUnit, byNumericParts } from "../../../src/core/code_unit_order.ts";

Deno.test("byNumericParts orders array tasks by number and anything else by code unit", () => {
  const ids = ["123_10", "123_2", "123_[11-20%2]", "123", "123_1", "123_9"];
  assertEquals(ids.toSorted(byNumericParts), [
    "123",
    "123_1",
    "123_2",
    "123_9",
    "123_10",
    "123_[11-20%2]",
  ]);
  assertEquals(["b", "a10", "a9", "A"].toSorted(byNumericParts), ["A", "a9", "a10", "b"]);
  assertEquals(byNumericParts("x", "x"), 0);
  assertEquals(["b", "a"].toSorted(byCodeUnit), ["a", "b"]);
});
