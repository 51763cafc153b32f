/**
 * How one line of job output is drawn: control sequences shown visibly (SGR colors kept),
 * config highlights as colors, search matches in reverse video, optional timestamp.
 * Produces SGR-colored text for content boxes that have blessed tags turned off.
 *
 * Every piece of outside text the UI draws (job output, progress, job names, messages) goes
 * through {@link safeText} here, so there is one call site for the terminal-safety rule.
 * @module
 */
import { neutralize } from "../../core/terminal_safe.ts";
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

/**
 * Outside text made safe to draw: only SGR colors reach the terminal; every other control is
 * shown visibly (`␛c`, `␇`, `\u009b`, `\u202e`), one cell per character, so nothing acts, hides
 * or reorders a row. The one call site of the shared neutraliser in the UI.
 */
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
