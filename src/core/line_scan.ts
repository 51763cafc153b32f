/**
 * The lines of a chunk that a regex matches, found as grep finds them: one scan of the whole
 * chunk, then only the lines holding a match are cut out and, where the scan could be wrong about
 * them, tested alone. The filters and the alerts share it.
 * @module
 */

/** A lookaround (`(?=`, `(?!`, `(?<=`, `(?<!`; one inside `[…]` counts too: cautious). */
const LOOKAROUND = /\(\?<?[=!]/;

/** Characters that mean more than themselves in a pattern (and "\n": no line holds one). */
const SPECIAL = new Set("\\^$.|?*+()[]{}\n");

/** One string of an alternation, and whether it matches whatever the case of its ASCII letters. */
export interface Alternative {
  text: string;
  caseless: boolean;
}

/**
 * The strings a pattern is an alternation of (`ERROR|WARN`, and the filters' combined
 * `(?:ERROR|WARN)|(?i:traceback)`), when it is nothing else: a line matches exactly when it holds
 * one of them — those under `i` (the flag, or a `(?i:…)` group) whatever the case of their ASCII
 * letters. Undefined for anything more (a class, a quantifier, an anchor, a letter escape such as
 * `\d` or `\n`, a group with other flags, an empty alternative, a surrogate under `u`, and `i`
 * under `u` or `v`, where case folding reaches beyond ASCII: `k` matches the Kelvin sign).
 */
export function alternativesOf(re: RegExp): Alternative[] | undefined {
  const src = re.source;
  const unicode = re.unicode || re.unicodeSets;
  let pos = 0;
  const alternation = (caseless: boolean): Alternative[] | undefined => {
    const out: Alternative[] = [];
    while (true) {
      const group = src.startsWith("(?:", pos) ? "(?:" : src.startsWith("(?i:", pos) ? "(?i:" : "";
      if (group) {
        // A group is taken only as a whole alternative.
        pos += group.length;
        const inner = alternation(caseless || group === "(?i:");
        if (!inner || src[pos] !== ")") return undefined;
        pos++;
        out.push(...inner);
      } else {
        let lit = "";
        while (pos < src.length && src[pos] !== "|" && src[pos] !== ")") {
          let c = src[pos];
          if (c === "\\") {
            c = src[++pos] ?? "";
            if (!c || /[0-9A-Za-z]/.test(c)) return undefined;
          } else if (SPECIAL.has(c)) return undefined;
          lit += c;
          pos++;
        }
        if (lit === "") return undefined;
        out.push({ text: lit, caseless });
      }
      if (src[pos] !== "|") return out;
      pos++;
    }
  };
  const alts = alternation(re.ignoreCase);
  if (!alts || pos !== src.length) return undefined;
  if (unicode && alts.some((a) => a.caseless)) return undefined;
  // With `u` or `v` a pattern's lone surrogate matches only outside a pair; indexOf also within.
  if (unicode && alts.some((a) => /[\uD800-\uDFFF]/.test(a.text))) return undefined;
  return alts;
}

/**
 * The strings of {@link alternativesOf} when case counts for every one of them (what `indexOf`
 * finds as the pattern would).
 */
export function literalAlternatives(re: RegExp): string[] | undefined {
  return caseExact(alternativesOf(re));
}

function caseExact(alts: Alternative[] | undefined): string[] | undefined {
  return alts && !alts.some((a) => a.caseless) ? alts.map((a) => a.text) : undefined;
}

/** Finds the lines of a chunk that a pattern matches, each as if tested alone. */
export class LineScan {
  /** The pattern as given, tested on one line. */
  readonly line: RegExp;
  /**
   * The pattern over a whole chunk (global, multiline). None with a lookaround: one may look past
   * its line (`WARN(?!\s)` sees the "\n" after a line ending in WARN) and miss a matching line,
   * so each line is then tested alone.
   */
  readonly #scan?: RegExp;
  /**
   * A scan match inside one line proves the line matches: not with `^`/`$`, as the scan's
   * multiline anchors also match at \r, \u2028 and \u2029 inside a line (`[^…]` counts as one:
   * cautious, never wrong). A match spanning a newline never proves anything.
   */
  readonly #local: boolean;
  /**
   * The pattern is only an alternation of these strings: each is looked for with `indexOf`,
   * which V8 runs several times faster over a chunk than its regex engine runs the alternation.
   */
  readonly #literals?: string[];
  /** The strings the pattern is an alternation of, when it is nothing else (see alternativesOf). */
  readonly alternatives?: readonly Alternative[];

  constructor(line: RegExp) {
    this.line = line.global || line.sticky
      ? new RegExp(line.source, line.flags.replace(/[gy]/g, ""))
      : line;
    const src = line.source;
    if (!LOOKAROUND.test(src)) {
      this.#scan = new RegExp(src, this.line.flags.replace("m", "") + "gm");
    }
    this.#local = !/[\^$]/.test(src);
    const alts = alternativesOf(this.line);
    this.alternatives = alts;
    this.#literals = caseExact(alts);
  }

  /**
   * Call `visit(line, start)` for each line of `text` that the pattern matches alone, in order:
   * the line without its "\n" and its position in `text`. `text` holds complete lines, each
   * ending in "\n" (a last line without one is not looked at).
   */
  forEach(text: string, visit: (line: string, start: number) => void): void {
    const found: number[] = [];
    this.collect(text, found);
    for (let i = 0; i < found.length; i += 2) visit(text.slice(found[i], found[i + 1]), found[i]);
  }

  /**
   * {@link forEach} without the lines as strings: appends to `out`, for each matching line, where
   * it starts and where its "\n" is (what excludes need: the text around those lines). No
   * callback in the scan's loop: one per call made V8 throw the loop's optimized code away and
   * make it again, batch after batch.
   */
  collect(text: string, out: number[]): void {
    if (this.#literals) return this.#collectLiterals(text, this.#literals, out);
    const scan = this.#scan;
    const one = this.line;
    if (!scan) {
      let pos = 0;
      for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", pos)) {
        if (one.test(text.slice(pos, nl))) out.push(pos, nl);
        pos = nl + 1;
      }
      return;
    }
    const local = this.#local;
    scan.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = scan.exec(text)) !== null) {
      const idx = m.index;
      const ls = idx === 0 ? 0 : text.lastIndexOf("\n", idx - 1) + 1;
      const le = text.indexOf("\n", idx);
      if (le === -1) break;
      if ((!local || m[0].includes("\n")) && !one.test(text.slice(ls, le))) {
        // Not this line after all; a match may still start later in it.
        scan.lastIndex = idx + 1;
        continue;
      }
      out.push(ls, le);
      scan.lastIndex = le + 1;
    }
  }

  /** collect for an alternation of strings: the next place of each, the nearest one's line. */
  #collectLiterals(text: string, literals: string[], out: number[]): void {
    // (a loop, not map() with a closure over `text`: that closure made V8 discard this loop's
    // optimized code again and again)
    const next: number[] = [];
    for (let i = 0; i < literals.length; i++) next.push(text.indexOf(literals[i]));
    while (true) {
      let at = -1;
      for (let i = 0; i < next.length; i++) {
        if (next[i] !== -1 && (at === -1 || next[i] < at)) at = next[i];
      }
      if (at === -1) return;
      const end = text.indexOf("\n", at);
      if (end === -1) return;
      out.push(at === 0 ? 0 : text.lastIndexOf("\n", at - 1) + 1, end);
      // (no string holds a "\n": none found in this line reaches past its end)
      for (let i = 0; i < next.length; i++) {
        if (next[i] !== -1 && next[i] < end) next[i] = text.indexOf(literals[i], end + 1);
      }
    }
  }
}
