import { assertEquals } from "../../_helpers/assert.ts";
import { BUILTIN_PATTERNS, isBuiltinPattern } from "../../../src/config/builtin_patterns.ts";
import { defaultRawConfig } from "../../../src/config/defaults.ts";
import { taskV8Flags } from "../../_helpers/cli.ts";

const root = new URL("../../../", import.meta.url).pathname;

/**
 * Compile `patterns` in a fresh process with the watchdog enabled (with the `s9s` task's V8
 * flags unless `bare`); is it running afterwards?
 */
async function armedAfter(patterns: string[], bare = false): Promise<boolean> {
  const code = `
    import { compilePattern } from "${root}src/config/regex.ts";
    import { enableInterruptWatchdog, interruptWatchdogArmed } from "${root}src/platform/interrupt_watchdog.ts";
    enableInterruptWatchdog();
    for (const p of ${JSON.stringify(patterns)}) compilePattern(p);
    console.log(interruptWatchdogArmed());
    Deno.exit(0);
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--quiet", ...(bare ? [] : [`--v8-flags=${taskV8Flags()}`]), "--ext=ts", code],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  return new TextDecoder().decode(out.stdout).trim() === "true";
}

Deno.test("builtin patterns are the default configuration's highlight patterns", () => {
  const filters = (defaultRawConfig().streaming as { filters: { pattern: string }[] }).filters;
  assertEquals(filters.map((f) => f.pattern), Object.values(BUILTIN_PATTERNS));
  assertEquals(isBuiltinPattern("(?i)error|fail|exception|fatal"), true);
  assertEquals(isBuiltinPattern("(?i)error|fail|exception|fatal|x"), false);
});

Deno.test("compilePattern starts the interrupt watchdog for a user's pattern that may run away, not for the builtin highlights", async () => {
  assertEquals(await armedAfter(Object.values(BUILTIN_PATTERNS)), false);
  // The linear engine cannot run these: a back-reference, a lookahead, case-insensitive.
  assertEquals(await armedAfter([...Object.values(BUILTIN_PATTERNS), "^(a+)+\\1$"]), true);
  assertEquals(await armedAfter(["WARN(?!ING)"]), true);
  assertEquals(await armedAfter(["(?i)warn"]), true);
  // Thousands of alternatives: linear, but slow on a big chunk.
  const many = Array.from({ length: 400 }, (_, i) => `word${i}`).join("|");
  assertEquals(await armedAfter([many]), true);
  // Linear, small: V8 falls back to its linear engine on excessive backtracking.
  assertEquals(await armedAfter(["ERROR|WARN", "(a+)+$", "^\\[rank \\d+\\] loss="]), false);
  // Without the task's V8 flags nothing falls back: every user pattern counts.
  assertEquals(await armedAfter(["ERROR|WARN"], true), true);
});
