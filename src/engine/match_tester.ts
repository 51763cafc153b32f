/**
 * A cheaper regex that matches the same lines: for `test()` only (whether a line matches, never
 * where). An unanchored alternative that starts with one character class repeated, `C+rest`,
 * matches somewhere exactly when `C rest` does (start at the last C of the run). The engine then
 * tries one C per position instead of every run of them: the default `progress` highlight,
 * `\d+(\.\d+)?%`, costs ~6× less on digit-heavy log lines (timestamps, metrics), where it took
 * most of a JSON catch-up's highlight time.
 * @module
 */

/** One character class or plain character, then `+` (not `++`, `+?`, `+{`). */
const LEADING_PLUS = /^(\\[dDwWsS]|[A-Za-z0-9_ ])\+(?![+?{*])/;

/**
 * The top-level alternatives of a pattern, or undefined when it is not plain enough to split
 * safely (an unbalanced group or class).
 */
function alternatives(source: string): string[] | undefined {
  const out: string[] = [];
  let depth = 0;
  let inClass = false;
  let start = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
    } else if (c === "[") inClass = true;
    else if (c === "(") depth++;
    else if (c === ")") {
      if (--depth < 0) return undefined;
    } else if (c === "|" && depth === 0) {
      out.push(source.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0 || inClass) return undefined;
  out.push(source.slice(start));
  return out;
}

/**
 * A regex whose `test()` answers as `re.test()` does on any string, possibly cheaper; `re`
 * itself when no rewrite is known to be safe (lookbehind, backreferences, sticky or global
 * state, the `v` flag's nested classes).
 */
export function matchTester(re: RegExp): RegExp {
  if (/[gyv]/.test(re.flags)) return re;
  const source = re.source;
  if (/\(\?<[=!]|\\k<|\\[1-9]/.test(source)) return re;
  const alts = alternatives(source);
  if (!alts) return re;
  let changed = false;
  const next = alts.map((a) => {
    const m = LEADING_PLUS.exec(a);
    if (!m) return a;
    changed = true;
    return m[1] + a.slice(m[0].length);
  });
  if (!changed) return re;
  try {
    return new RegExp(next.join("|"), re.flags);
  } catch {
    return re;
  }
}
