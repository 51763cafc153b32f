/**
 * Compile patterns written Go/PCRE-style (`(?i)error|fail`, `(?P<name>…)`, `\A`, `\z`, `\pL`,
 * `[[:upper:]]`) into JavaScript regular expressions.
 * @module
 */
import { armInterruptWatchdog } from "../platform/interrupt_watchdog.ts";
import { translateClasses } from "./regex_classes.ts";
import { isBuiltinPattern } from "./builtin_patterns.ts";

/** How much of a pattern an error message quotes. */
const QUOTED_CHARS = 80;

/** A pattern as an error message quotes it: cut when long (a 1 MB pattern is not echoed). */
export function quotePattern(pattern: string): string {
  if (pattern.length <= QUOTED_CHARS) return `"${pattern}"`;
  return `"${pattern.slice(0, QUOTED_CHARS)}…" (${pattern.length} characters)`;
}

/** Why a pattern could not be compiled; the message names the pattern (cut when long). */
export class PatternError extends Error {
  constructor(readonly pattern: string, reason: string) {
    super(`invalid regular expression ${quotePattern(pattern)}: ${cut(reason)}`);
    this.name = "PatternError";
  }
}

function cut(text: string): string {
  return text.length <= 2 * QUOTED_CHARS ? text : text.slice(0, 2 * QUOTED_CHARS) + "…";
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
  try {
    const classes = translateClasses(src);
    src = classes.source;
    if (classes.unicode) flags.add("u");
  } catch (err) {
    throw new PatternError(pattern, (err as Error).message);
  }
  let re: RegExp;
  try {
    re = new RegExp(src, [...flags].join(""));
  } catch (err) {
    const text = (err as Error).message;
    // V8 quotes the whole pattern; only its reason is kept.
    const msg = text.slice(text.lastIndexOf(": ") + 2) || text;
    throw new PatternError(pattern, msg);
  }
  if (!isBuiltinPattern(pattern) && mayRunAway(re)) armInterruptWatchdog();
  return re;
}

/**
 * Longest pattern (its JavaScript source) that runs without the watchdog: the linear engine's
 * time grows with the pattern's size times the text's, and a chunk of a catch-up is 120 KB.
 */
const UNWATCHED_SOURCE_CHARS = 256;

/**
 * Whether a user's pattern could keep JavaScript busy long enough to hold back Ctrl+C, so that
 * the watchdog (a worker, started beside the stream, ≈ 12 ms of the main thread) must keep
 * Ctrl+C working. One that V8's linear engine cannot run (a back-reference, a lookahead, the
 * `i` or `u` flag) may backtrack for hours on one line; a huge one (thousands of alternatives)
 * can spend minutes on a catch-up chunk even in linear time. Any other cannot: the s9s task and
 * the binary run V8 with its linear engine as the fallback on excessive backtracking (deno.json's
 * --v8-flags); without those flags (`deno test`, a library) the `l` flag is refused, and every
 * pattern counts as one that may run away. s9s's own default highlights never do (see
 * builtin_patterns.ts).
 */
export function mayRunAway(re: RegExp): boolean {
  if (re.source.length > UNWATCHED_SOURCE_CHARS) return true;
  try {
    new RegExp(re.source, re.flags + "l");
    return false;
  } catch {
    return true;
  }
}
