import { deepStrictEqual } from "node:assert";
import { eventLines } from "../../../src/sinks/json.ts";
import { eventsOf, type StreamHandle } from "../../../src/engine/stream_manager.ts";
import { LineFilter } from "../../../src/engine/filter.ts";
import type { LineBatch } from "../../../src/core/line_batch.ts";
import { compilePattern } from "../../../src/config/regex.ts";

const LINES = [
  "INFO ok",
  'quote " and \\ back',
  "ERROR tab\there",
  "",
  "ünïcödé ✓ \u0001 ctl",
  "WARN 50%",
  "x".repeat(300),
];

function batch(truncated?: number[]): LineBatch {
  const b: LineBatch = {
    text: LINES.map((l) => l + "\n").join(""),
    count: LINES.length,
    firstLine: 41,
    startOffset: 0,
    endOffset: 0,
    time: 1_750_000_000_123,
  };
  if (truncated) b.truncated = truncated;
  return b;
}

Deno.test("eventLines writes exactly what JSON.stringify of eventsOf gives", () => {
  const s = { jobId: "77_3", type: "stdout", sourceKind: "file" } as StreamHandle;
  const plain = new LineFilter();
  const hl = new LineFilter();
  hl.add({ name: "errors", action: "highlight", color: "red", regex: compilePattern("(?i)error") });
  hl.add({ name: "progress", action: "highlight", color: "green", regex: compilePattern("\\d+%") });
  const inc = new LineFilter();
  inc.add({ name: "f", action: "include", color: "", regex: compilePattern("ERROR|WARN|x") });
  inc.add({
    name: "errors",
    action: "highlight",
    color: "red",
    regex: compilePattern("(?i)error"),
  });
  for (const f of [plain, hl, inc]) {
    for (const b of [batch(), batch([2, 6])]) {
      const sel = f.select(b);
      const h = f.highlights.length ? f : undefined;
      const expected = eventsOf(s, b, sel, h).map((e) => JSON.stringify(e) + "\n").join("");
      deepStrictEqual(eventLines(s, b, sel, h), expected);
    }
  }
});
