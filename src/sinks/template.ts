/**
 * Text lines shaped by a user template, as stern's `--template` does:
 * `--template '{{job_id}} {{type}} {{content}}'`. The fields are those of the JSON event.
 * @module
 */
import type { LineFilter, Selection } from "../engine/filter.ts";
import { batchLines, type LineBatch } from "../core/line_batch.ts";
import type { StreamHandle, StreamListener } from "../engine/stream_manager.ts";
import { SGR } from "../platform/terminal.ts";
import { neutralize } from "../core/terminal_safe.ts";
import { UsageError } from "../errors.ts";
import type { TextOut } from "./writer.ts";
import { labelText } from "./text.ts";

/** The fields a template may use: the keys of a line's JSON event. */
export const TEMPLATE_FIELDS = [
  "job_id",
  "type",
  "content",
  "timestamp",
  "line_num",
  "source",
  "truncated",
  "highlights",
] as const;

/** One field of the template. */
export type TemplateField = typeof TEMPLATE_FIELDS[number];

/** A parsed template: literal text and fields, alternating (literals first and last). */
export interface Template {
  literals: string[];
  fields: TemplateField[];
}

/** Parse a template; an unknown field or a stray `{{` is a usage error naming it. */
export function parseTemplate(text: string): Template {
  const literals: string[] = [];
  const fields: TemplateField[] = [];
  const valid = `the fields are ${TEMPLATE_FIELDS.join(", ")}`;
  let pos = 0;
  while (true) {
    const open = text.indexOf("{{", pos);
    if (open === -1) break;
    const close = text.indexOf("}}", open + 2);
    if (close === -1) {
      throw new UsageError(`--template: "{{" at column ${open + 1} is never closed with "}}"`, {
        hint: `write fields as {{name}}; ${valid}`,
      });
    }
    // `{{.content}}` is accepted too, for people coming from Go templates (stern).
    const name = text.slice(open + 2, close).trim().replace(/^\./, "");
    if (!(TEMPLATE_FIELDS as readonly string[]).includes(name)) {
      throw new UsageError(`--template: unknown field "${name}"`, { hint: valid });
    }
    literals.push(text.slice(pos, open));
    fields.push(name as TemplateField);
    pos = close + 2;
  }
  literals.push(text.slice(pos));
  return { literals, fields };
}

/** Options for {@link templateSink}. */
export interface TemplateSinkOptions {
  out: TextOut;
  template: Template;
  filter: LineFilter;
  /** Neutralise terminal control sequences in the content (on a terminal): only SGR passes. */
  sanitize: boolean;
  /** Color the content of highlighted lines. */
  color: boolean;
}

/** A listener that prints each line through the template (one output line per line). */
export function templateSink(o: TemplateSinkOptions): StreamListener {
  const { literals, fields } = o.template;
  const colorOf = new Map(o.filter.highlights.map((h) => [h.name, SGR[h.color] ?? "31"]));
  const needs = new Set(fields);
  const wantsHighlights = needs.has("highlights") || (o.color && colorOf.size > 0);
  // `{{content}}` alone between literals, printed as it is: the batch's text is already the lines
  // joined with "\n", so the literals go around it without splitting it into lines and building
  // the output again line by line (that, with the encode of the string it built, was ~25% of the
  // client's CPU following 20 files over SSH).
  const contentOnly = fields.length === 1 && fields[0] === "content" && !o.sanitize &&
      !wantsHighlights
    ? { before: literals[0], after: literals[1], between: literals[1] + "\n" + literals[0] }
    : undefined;
  return {
    async onLines(s: StreamHandle, batch: LineBatch, sel: Selection) {
      if (contentOnly && sel.all) {
        if (batch.count === 0) return;
        const { before, after, between } = contentOnly;
        await o.out.write(
          before === "" && after === ""
            ? batch.text
            : before + batch.text.slice(0, -1).replaceAll("\n", between) + after + "\n",
        );
        return;
      }
      const lines = sel.all ? batchLines(batch) : sel.lines;
      if (lines.length === 0) return;
      const nums = sel.all ? undefined : sel.nums;
      const timestamp = needs.has("timestamp") ? new Date(batch.time).toISOString() : "";
      let out = "";
      for (let i = 0; i < lines.length; i++) {
        const raw = lines[i];
        const num = nums ? nums[i] : batch.firstLine + i;
        const highlights = wantsHighlights ? o.filter.highlightsOf(raw) : undefined;
        let content = o.sanitize ? neutralize(raw, { keepSgr: o.color }) : raw;
        if (o.color && highlights) content = `\x1b[${colorOf.get(highlights[0])}m${content}\x1b[0m`;
        const value = (f: TemplateField): string => {
          switch (f) {
            case "job_id":
              return labelText(s.jobId);
            case "type":
              return s.type;
            case "content":
              return content;
            case "timestamp":
              return timestamp;
            case "line_num":
              return String(num);
            case "source":
              return s.sourceKind;
            case "truncated":
              return String(batch.truncated?.includes(num - batch.firstLine) ?? false);
            case "highlights":
              return highlights?.join(",") ?? "";
          }
        };
        out += literals[0];
        for (let k = 0; k < fields.length; k++) out += value(fields[k]) + literals[k + 1];
        out += "\n";
      }
      await o.out.write(out);
    },
  };
}
