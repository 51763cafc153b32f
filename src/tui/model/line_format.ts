/**
 * How one line of job output is drawn: control sequences shown visibly (SGR colors kept),
 * config highlights as colors, search matches in reverse video, optional timestamp.
 * Produces SGR-colored text for content boxes that have blessed tags turned off.
 *
 * Every piece of outside text the UI draws (job output, progress, job names, messages) goes
 * through {@link safeText} here, so there is one call site for the terminal-safety rule.
 * @module
 */
import { SGR } from "../../platform/terminal.ts";
import type { PaneLine } from "./pane_model.ts";

/** A highlight rule (the engine's NamedFilter fits). */
export interface Highlight {
  color: string;
  regex: RegExp;
}

/** Display toggles for {@link formatLine}. */
export interface FormatOptions {
  highlights?: readonly Highlight[];
  search?: RegExp;
  timestamps?: boolean;
  /** A prefix (merged view: which stream), drawn dim. */
  tag?: string;
}

// SGR (kept), ESC, C0 but tab, DEL, C1, and the bidi controls (embeddings, overrides, isolates,
// marks): a terminal draws the last ones as nothing or reorders the row around them, which left
// stray cells across panes.
const UNSAFE =
  // deno-lint-ignore no-control-regex
  /\x1b\[[0-9;]*m|[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// deno-lint-ignore no-control-regex
const ANY_UNSAFE = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * Only SGR colors may reach the terminal: ESC of any other sequence becomes `␛` (so `ESC c`
 * shows as `␛c`), other C0 controls their control pictures (`␇`), DEL `␡`, and C1 and bidi
 * controls their escape (`\u009b`, `\u202e`). Each becomes visible text of its own width, so
 * nothing is hidden and no row is reordered. Tabs are kept (the fitter expands them).
 */
export function neutralize(text: string): string {
  if (!ANY_UNSAFE.test(text)) return text;
  return text.replace(UNSAFE, (c) => {
    if (c.length > 1) return c; // an SGR sequence
    const code = c.charCodeAt(0);
    if (code === 0x1b) return "␛";
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    if (code === 0x7f) return "␡";
    return `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/** Outside text made safe to draw (the one call site of {@link neutralize}). */
export function safeText(text: string): string {
  return neutralize(text);
}

/** HH:MM:SS.mmm of an epoch ms, local time. */
export function clock(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${
    p(d.getMilliseconds(), 3)
  }`;
}

/** The text to draw for a line. */
export function formatLine(line: PaneLine, options: FormatOptions = {}): string {
  let text = safeText(line.content);
  const hasSgr = text.includes("\x1b[");
  if (options.search && !hasSgr) {
    const g = new RegExp(options.search.source, options.search.flags.replace("g", "") + "g");
    text = text.replace(g, (m) => (m ? `\x1b[7m${m}\x1b[27m` : m));
  }
  if (!hasSgr && options.highlights) {
    for (const h of options.highlights) {
      h.regex.lastIndex = 0;
      if (h.regex.test(line.content)) {
        text = `\x1b[${SGR[h.color] ?? "31"}m${text}\x1b[0m`;
        break;
      }
    }
  }
  let prefix = "";
  if (options.timestamps) prefix += `\x1b[90m${clock(line.time)}\x1b[0m `;
  if (options.tag) prefix += `\x1b[36m${options.tag}\x1b[0m `;
  return prefix + text;
}

/** The latest `\r` state of the line being written, drawn green. */
export function formatProgress(text: string): string {
  return `\x1b[32m${safeText(text)}\x1b[0m`;
}
