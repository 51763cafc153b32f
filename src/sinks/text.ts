/**
 * Text output: lines as they are, `[job:type]` prefixes (`[job task 3:type]` for a task's or a
 * node's own file) when several streams interleave,
 * highlight colors only on a terminal.
 * @module
 */
import type { LineFilter, Selection } from "../engine/filter.ts";
import { batchLines, type LineBatch } from "../core/line_batch.ts";
import { selectedText } from "../engine/selected_text.ts";
import type { StreamHandle, StreamListener } from "../engine/stream_manager.ts";
import type { StreamEvent } from "../core/stream_event.ts";
import { neutralize, visibleControl } from "../core/terminal_safe.ts";
import { SGR } from "../platform/terminal.ts";
import { offer, type TextOut } from "./writer.ts";

/** Options for the text sink. */
export interface TextSinkOptions {
  out: TextOut;
  /** Where status messages go (stderr); none to hide them. */
  status?: TextOut;
  /** Prefix lines with [job:type]. */
  prefix: boolean;
  color: boolean;
  /** Neutralise terminal control sequences (on a terminal). */
  sanitize: boolean;
  filter: LineFilter;
  /** Show `\r` progress updates in place (terminal only). */
  progress?: boolean;
}

const NEWLINES = /\n/g;

/** A listener that prints lines as text. */
export function textSink(o: TextSinkOptions): StreamListener {
  const colorOf = new Map(o.filter.highlights.map((h) => [h.name, SGR[h.color] ?? "31"]));
  const plainFast = !o.prefix && !o.color && !o.sanitize;
  // Prefix but nothing else per line: whole-chunk string operations instead of a loop.
  const prefixFast = o.prefix && !o.color && !o.sanitize;
  // A stream's prefix, made once (its label goes through statusText's regexes).
  const prefixes = new WeakMap<StreamHandle, string>();
  const prefixOf = (s: StreamHandle) => {
    let pre = prefixes.get(s);
    if (pre === undefined) prefixes.set(s, pre = `[${streamLabel(s)}] `);
    return pre;
  };
  // "\n" + the prefix, as a replacement string: a "$" in it (a file named `a$&b.log`) doubled,
  // or replace() would read "$&", "$'"… as patterns and print other text than the name.
  const nlPrefixes = new WeakMap<StreamHandle, string>();
  const nlPrefixOf = (s: StreamHandle) => {
    let nlPre = nlPrefixes.get(s);
    if (nlPre === undefined) nlPrefixes.set(s, nlPre = "\n" + prefixOf(s).replaceAll("$", "$$$$"));
    return nlPre;
  };
  // Each batch's text is offered to the output: a promise (to wait for) only when the output
  // holds too much unwritten, so a batch costs no promise chain while the output keeps up.
  return {
    onLines(s: StreamHandle, batch: LineBatch, sel: Selection) {
      if (plainFast || prefixFast) {
        // The lines as one text: the batch's, or the selection's (joined once, or kept whole).
        const text = sel.all ? batch.text : selectedText(sel);
        if (!text) return;
        if (plainFast) return offer(o.out, text);
        // The prefix, then the lines with a prefix after every newline, less the last one: two
        // texts (one flat string each) the writer encodes as they are; joined with `+`, the
        // chunk had to be flattened into a copy first.
        const pre = prefixOf(s);
        // (A global regex: faster here than replaceAll with a string, ~2.3 µs vs ~3.4 µs a chunk
        // of 100 lines.)
        const body = text.replace(NEWLINES, nlPrefixOf(s));
        o.out.write(pre);
        return offer(o.out, body.slice(0, body.length - pre.length));
      }
      const lines = sel.all ? batchLines(batch) : sel.lines;
      if (lines.length === 0) return;
      const pre = o.prefix
        ? (o.color ? `\x1b[2m[${streamLabel(s)}]\x1b[0m ` : `[${streamLabel(s)}] `)
        : "";
      let out = "";
      for (const raw of lines) {
        const line = o.sanitize ? neutralize(raw, { keepSgr: o.color }) : raw;
        if (o.color && colorOf.size) {
          const h = o.filter.highlightsOf(raw);
          if (h) {
            out += `${pre}\x1b[${colorOf.get(h[0])}m${line}\x1b[0m\n`;
            continue;
          }
        }
        out += pre + line + "\n";
      }
      return offer(o.out, out);
    },
    onStatus(_s: StreamHandle, ev: StreamEvent) {
      if (!o.status) return;
      if (ev.state === "live" && /^following/.test(ev.content)) return;
      void o.status.write(`s9s: ${statusText(ev.content)}\n`).catch(() => {});
    },
  };
}

/** A stream's prefix: `123:stdout`, `123 task 3:stdout` for one task's (or node's) own lines. */
export function streamLabel(s: StreamHandle): string {
  // A file's name may hold a newline or an escape: shown, never obeyed (see labelText).
  return `${labelText(s.jobId)}${s.part ? ` ${labelText(s.part.label)}` : ""}:${s.type}`;
}

/**
 * A status message as one safe line: it names paths and jobs that come from outside, so every
 * control in it is shown visibly (`␛c`, `\u202e`), an SGR sequence and a newline too, whether or
 * not stderr is a terminal: the name reads as it is and cannot color or split the line.
 */
export function statusText(message: string): string {
  // deno-lint-ignore no-control-regex
  return neutralize(message).replace(/[\x1b\n]/g, visibleControl); // what it left: SGR, newline
}

/**
 * A stream's label (a job id, a file's name) as printed in a `[label:type]` prefix or a template:
 * a file name may hold any byte but "/" and NUL, so it gets the same treatment as a status
 * message — a newline or an escape in the name is shown, never obeyed.
 */
export function labelText(label: string): string {
  return statusText(label);
}

/** A `s9s: warning: …` line (newline included) whose message goes through {@link statusText}. */
export function warningLine(message: string): string {
  return `s9s: warning: ${statusText(message)}\n`;
}
