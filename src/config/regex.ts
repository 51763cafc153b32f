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
  // A pattern that may backtrack for long keeps Ctrl+C working through the watchdog (a worker,
  // ~20 ms to start): not needed for one that cannot.
  if (!cannotBacktrackLong(src, flags)) armInterruptWatchdog();
  return re;
}

/** Plain text alternatives: letters, digits, spaces, escaped punctuation, `|`. */
const LITERAL_ALTERNATION = /^(?:[\p{L}\p{N} _\-:,;'"=<>/@#&~`|]|\\[^\p{L}\p{N}])*$/u;

/**
 * Whether a compiled pattern provably answers in time linear in the line: plain text
 * alternatives (`(?i)error|fail`; at most one comparison per alternative and position), or a
 * pattern V8's linear-time engine accepts — the `s9s` task runs it with
 * `--enable-experimental-regexp-engine` (so that the `l` flag exists) together with
 * `--enable-experimental-regexp-engine-on-excessive-backtracks` (so that such a pattern moves to
 * that engine when it backtracks too much). Without those flags (tests, an embedding) the `l`
 * flag is refused and only plain text counts.
 */
export function cannotBacktrackLong(src: string, flags: Set<string>): boolean {
  if (LITERAL_ALTERNATION.test(src)) return true;
  // The linear engine takes neither `i` nor `u` here; such patterns get no fallback either.
  if (flags.has("i") || flags.has("u") || flags.has("v")) return false;
  try {
    new RegExp(src, [...flags].filter((f) => f !== "y").join("") + "l");
    return true;
  } catch {
    return false;
  }
}
