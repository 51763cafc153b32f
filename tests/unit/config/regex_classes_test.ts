import { assertEquals, assertRejects } from "../../_helpers/assert.ts";
import { translateClasses } from "../../../src/config/regex_classes.ts";
import { compilePattern, PatternError } from "../../../src/config/regex.ts";

Deno.test("translateClasses turns POSIX bracket classes into ASCII ranges, inside classes only", () => {
  assertEquals(translateClasses("[[:upper:]]+"), { source: "[A-Z]+", unicode: false });
  assertEquals(translateClasses("[^[:space:][:digit:]_]"), {
    source: "[^ \\t\\n\\r\\f\\v0-9_]",
    unicode: false,
  });
  // Outside a class, and escaped, it is left alone (as grep leaves it).
  assertEquals(translateClasses("\\[[:x"), { source: "\\[[:x", unicode: false });
});

Deno.test("translateClasses spells Unicode properties as JavaScript does and asks for the u flag", () => {
  assertEquals(translateClasses("\\pL\\PN"), { source: "\\p{L}\\P{N}", unicode: true });
  assertEquals(translateClasses("\\p{Han}"), { source: "\\p{Script=Han}", unicode: true });
  assertEquals(translateClasses("\\p{Script=Greek}"), {
    source: "\\p{Script=Greek}",
    unicode: true,
  });
});

Deno.test("compilePattern refuses unknown classes and quotes a long pattern cut", async () => {
  await assertRejects(() => compilePattern("[[:nope:]]"), /unknown POSIX class "\[:nope:\]"/);
  await assertRejects(() => compilePattern("\\p{Nope}"), /unknown Unicode property "Nope"/);
  const err = await assertRejects(() => compilePattern("(" + "x".repeat(10_000)));
  assertEquals(err instanceof PatternError, true);
  assertEquals(err.message.length < 200, true);
  assertEquals(compilePattern("(?i)\\p{Lu}").test("a"), true);
});
