/**
 * The lines of a chunk that a regex matches, found as grep finds them: one scan of the whole
 * chunk, then only the lines holding a match are cut out and, where the scan could be wrong about
 * them, tested alone. The filters and the alerts share it.
 * @module
 */

/** A lookaround (`(?=`, `(?!`, `(?<=`, `(?<!`; one inside `[…]` counts too: cautious). */
const LOOKAROUND = /\(\?<?[=!]/;

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

  constructor(line: RegExp) {
    this.line = line.global || line.sticky
      ? new RegExp(line.source, line.flags.replace(/[gy]/g, ""))
      : line;
    const src = line.source;
    if (!LOOKAROUND.test(src)) {
      this.#scan = new RegExp(src, this.line.flags.replace("m", "") + "gm");
    }
    this.#local = !/[\^$]/.test(src);
  }

  /**
   * Call `visit(line, start)` for each line of `text` that the pattern matches alone, in order:
   * the line without its "\n" and its position in `text`. `text` holds complete lines, each
   * ending in "\n" (a last line without one is not looked at).
   */
  forEach(text: string, visit: (line: string, start: number) => void): void {
    const scan = this.#scan;
    const one = this.line;
    if (!scan) {
      let pos = 0;
      for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", pos)) {
        const line = text.slice(pos, nl);
        if (one.test(line)) visit(line, pos);
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
      const line = text.slice(ls, le);
      if ((!local || m[0].includes("\n")) && !one.test(line)) {
        // Not this line after all; a match may still start later in it.
        scan.lastIndex = idx + 1;
        continue;
      }
      visit(line, ls);
      scan.lastIndex = le + 1;
    }
  }
}
