import { deepStrictEqual, strictEqual } from "node:assert";
import { parseTemplate, templateSink } from "../../../src/sinks/template.ts";
import { LineFilter, type Selection } from "../../../src/engine/filter.ts";
import { batchLines, type LineBatch } from "../../../src/core/line_batch.ts";
import type { StreamHandle } from "../../../src/engine/stream_manager.ts";
import { linesBatch } from "../../_helpers/line_batch.ts";

const stream = { jobId: "7", type: "stdout", sourceKind: "ssh" } as StreamHandle;

const batch = (lines: string[]) => linesBatch(lines, 3);

async function render(template: string, b: LineBatch, sel: Selection): Promise<string> {
  let out = "";
  const sink = templateSink({
    out: { write: (t) => Promise.resolve(void (out += t)) },
    template: parseTemplate(template),
    filter: new LineFilter(),
    sanitize: false,
    color: false,
  });
  await sink.onLines!(stream, b, sel);
  return out;
}

Deno.test("templateSink prints a content-only template from the whole batch as line by line", async () => {
  const cases = [["a", "", "b c", "\tx"], [""], ["only"], ["é ü", "😀 end"]];
  for (const template of ["{{content}}", "> {{content}} <", "{{ .content }}|", "[{{content}}"]) {
    for (const lines of cases) {
      const b = batch(lines);
      // A selection holding every line takes the per-line path: both must print the same.
      const each: Selection = {
        all: false,
        lines: batchLines(b),
        nums: lines.map((_, i) => b.firstLine + i),
      };
      const fast = await render(template, b, { all: true });
      strictEqual(fast, await render(template, b, each), `${template} ${JSON.stringify(lines)}`);
      const t = parseTemplate(template);
      deepStrictEqual(
        fast,
        lines.map((l) => `${t.literals[0]}${l}${t.literals[1]}\n`).join(""),
      );
    }
  }
});
