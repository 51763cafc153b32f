/**
 * Ordering strings by UTF-16 code unit, as `<` does: for names that are ASCII (file names s9s
 * makes, label names), where locale rules add nothing and `localeCompare`'s first call loads ICU's
 * collation (~12 ms of CPU).
 * @module
 */

/** Negative, zero or positive as `a` sorts before, with or after `b` by code unit. */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * {@link byCodeUnit}, but runs of digits compare as numbers: `123_2` before `123_10` (array
 * tasks), as `localeCompare` with `numeric: true` orders ASCII names, without loading ICU.
 */
export function byNumericParts(a: string, b: string): number {
  const re = /(\d+)|\D+/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i], y = pb[i];
    if (x === y) continue;
    const nx = /^\d/.test(x), ny = /^\d/.test(y);
    if (nx && ny) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
    }
    return byCodeUnit(x, y);
  }
  return pa.length - pb.length;
}
