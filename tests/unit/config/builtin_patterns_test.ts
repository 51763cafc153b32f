import { assertEquals } from "../../_helpers/assert.ts";
import { BUILTIN_PATTERNS, isBuiltinPattern } from "../../../src/config/builtin_patterns.ts";
import { defaultRawConfig } from "../../../src/config/defaults.ts";

const root = new URL("../../../", import.meta.url).pathname;

/** Compile `patterns` in a fresh process with the watchdog enabled; is it running afterwards? */
async function armedAfter(patterns: string[]): Promise<boolean> {
  const code = `
    import { compilePattern } from "${root}src/config/regex.ts";
    import { enableInterruptWatchdog, interruptWatchdogArmed } from "${root}src/platform/interrupt_watchdog.ts";
    enableInterruptWatchdog();
    for (const p of ${JSON.stringify(patterns)}) compilePattern(p);
    console.log(interruptWatchdogArmed());
    Deno.exit(0);
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--quiet", "--ext=ts", code],
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

Deno.test("compilePattern starts the interrupt watchdog for a user's pattern, not for the builtin highlights", async () => {
  assertEquals(await armedAfter(Object.values(BUILTIN_PATTERNS)), false);
  assertEquals(await armedAfter([...Object.values(BUILTIN_PATTERNS), "(a+)+b"]), true);
  assertEquals(await armedAfter(["warn"]), true);
});
