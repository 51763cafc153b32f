/**
 * Laying the `?` help out in a box: long descriptions wrap under their own column (a hanging
 * indent after the keys), and a page of rows is picked when the box is shorter than the help.
 * Pure, no neo-blessed.
 * @module
 */

/**
 * Wrap help lines to `width` cells at spaces. A line "  keys  description" continues under its
 * description; words longer than the width are cut.
 */
export function wrapHelp(lines: readonly string[], width: number): string[] {
  const w = Math.max(8, width);
  const out: string[] = [];
  for (const line of lines) {
    if ([...line].length <= w) {
      out.push(line);
      continue;
    }
    const m = /^(\s*\S.*?\s{2,})\S/.exec(line);
    const indent = " ".repeat(m && m[1].length < w / 2 ? m[1].length : 2);
    let row = "";
    let prefix = "";
    for (const word of line.slice(0).split(/(?<=\S)(?= )/)) {
      // `word` keeps its leading spaces, so the label's alignment survives.
      if (row && [...row + word].length > w) {
        out.push(row);
        row = indent + word.trimStart();
        prefix = indent;
      } else {
        row += word;
      }
      while ([...row].length > w) {
        out.push([...row].slice(0, w).join(""));
        row = prefix + [...row].slice(w).join("");
      }
    }
    if (row.trim()) out.push(row);
  }
  return out;
}

/** The rows to show from `top` in a box of `height` rows (clamped). */
export function helpPage(
  rows: readonly string[],
  top: number,
  height: number,
): { top: number; rows: string[] } {
  const h = Math.max(1, height);
  const t = Math.max(0, Math.min(top, rows.length - h));
  return { top: t, rows: rows.slice(t, t + h) };
}
