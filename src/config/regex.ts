/**
 * Compile patterns written Go/PCRE-style (`(?i)error|fail`, `(?P<name>…)`, `\A`, `\z`) into
 * JavaScript regular expressions.
 * @module
 */
import { armInterruptWatchdog } from "../platform/interrupt_watchdog.ts";

/** Why a pattern could not be compiled; the message names the pattern. */
export class PatternError extends Error {
  constructor(readonly pattern: string, reason: string) {
    super(`invalid regular expression "${pattern}": ${reason}`);
    this.name = "PatternError";
  }
}

/**
 * Compile a user pattern. Leading inline flags (`(?i)`, `(?is)`, `(?m)`) become JS flags;
 * Go's named groups and anchors are translated. `extraFlags` are added (e.g. "g").
 */
export function compilePattern(pattern: string, extraFlags = ""): RegExp {
  let src = pattern;
  const flags = new Set(extraFlags.split("").filter(Boolean));
  const lead = /^\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    for (const f of lead[1]) {
      if (f === "U") throw new PatternError(pattern, "the ungreedy flag (?U) is not supported");
      flags.add(f);
    }
    src = src.slice(lead[0].length);
  }
  if (/(^|[^\\])\(\?[imsU-]+\)/.test(src)) {
    throw new PatternError(
      pattern,
      "inline flags are only supported at the start of the pattern, e.g. (?i)error",
    );
  }
  src = src.replace(/\(\?P</g, "(?<").replace(/\\A/g, "^").replace(/\\z/g, "$");
  let re: RegExp;
  try {
    re = new RegExp(src, [...flags].join(""));
  } catch (err) {
    const msg = (err as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, "");
    throw new PatternError(pattern, msg);
  }
  // Every pattern keeps Ctrl+C working through the watchdog (a worker, started beside the
  // stream): one V8's linear engine cannot take may backtrack for hours on one line, and a
  // linear one with thousands of alternatives can still spend minutes on a catch-up chunk.
  armInterruptWatchdog();
  return re;
}
