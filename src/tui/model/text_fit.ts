/**
 * Cutting job output to a pane's width: SGR color sequences take no room, everything else
 * one cell (wide characters count as two). Pure, no neo-blessed.
 * @module
 */

// deno-lint-ignore no-control-regex
const SGR_AT = /\x1b\[[0-9;]*m/y;
const WIDE =
  /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/;

/** Display width of text that may hold SGR sequences. */
export function visibleWidth(text: string): number {
  let w = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 0x1b) {
      SGR_AT.lastIndex = i;
      const m = SGR_AT.exec(text);
      if (m) {
        i += m[0].length - 1;
        continue;
      }
    }
    const code = text.codePointAt(i)!;
    if (code > 0xffff) i++;
    w += WIDE.test(String.fromCodePoint(code)) ? 2 : 1;
  }
  return w;
}

/**
 * Split a line into rows of at most `width` cells (wrap), or cut it to one row (no wrap; a
 * cut line ends with "…"). SGR state is reset at each row's end so colors never bleed.
 */
export function fitLine(text: string, width: number, wrap: boolean): string[] {
  if (width <= 0) return [""];
  const expanded = text.includes("\t") ? text.replace(/\t/g, "    ") : text;
  if (expanded.length <= width && !expanded.includes("\x1b")) return [expanded];
  const rows: string[] = [];
  let row = "";
  let w = 0;
  let colored = false;
  let cut: string | undefined; // the row as it stood one cell short of full (no wrap)
  let active = ""; // SGR sequences in effect, replayed at the start of a wrapped row
  for (let i = 0; i < expanded.length; i++) {
    if (expanded.charCodeAt(i) === 0x1b) {
      SGR_AT.lastIndex = i;
      const m = SGR_AT.exec(expanded);
      if (m) {
        row += m[0];
        const reset = m[0] === "\x1b[m" || m[0] === "\x1b[0m";
        active = reset ? "" : active + m[0];
        colored = !reset;
        i += m[0].length - 1;
        continue;
      }
    }
    const code = expanded.codePointAt(i)!;
    const ch = String.fromCodePoint(code);
    if (code > 0xffff) i++;
    const cw = WIDE.test(ch) ? 2 : 1;
    if (!wrap && cut === undefined && w + cw > width - 1) cut = row;
    if (w + cw > width) {
      if (!wrap) return [cut + "…" + (colored ? "\x1b[0m" : "")];
      rows.push(row + (colored ? "\x1b[0m" : ""));
      row = active;
      w = 0;
    }
    row += ch;
    w += cw;
  }
  rows.push(row + (colored ? "\x1b[0m" : ""));
  return rows;
}
