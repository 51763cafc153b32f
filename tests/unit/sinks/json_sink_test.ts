import { deepStrictEqual } from "node:assert";
import { eventLines } from "../../../src/sinks/json.ts";
import { eventsOf, type StreamHandle } from "../../../src/engine/stream_manager.ts";
import { LineFilter } from "../../../src/engine/filter.ts";
import type { LineBatch } from "../../../src/core/line_batch.ts";
import { compilePattern } from "../../../src/config/regex.ts";
import { escapeJsonControls } from "../../../src/core/terminal_safe.ts";

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

Deno.test("api lines: sattach's task label becomes the task field, the same in eventLines and eventsOf", () => {
  const s = { jobId: "9.0", type: "stderr", sourceKind: "api" } as StreamHandle;
  const lines = ["0: start", " 12: padded rank", "no label", "3: ", "1: 2: inner"];
  const b: LineBatch = {
    text: lines.map((l) => l + "\n").join(""),
    count: lines.length,
    firstLine: 1,
    startOffset: 0,
    endOffset: 0,
    time: 1_750_000_000_123,
  };
  const f = new LineFilter();
  const sel = f.select(b);
  const evs = eventsOf(s, b, sel);
  deepStrictEqual(
    evs.map((e) => [e.task, e.content]),
    [[0, "start"], [12, "padded rank"], [undefined, "no label"], [3, ""], [1, "2: inner"]],
  );
  deepStrictEqual(
    eventLines(s, b, sel),
    evs.map((e) => JSON.stringify(e) + "\n").join(""),
  );
  deepStrictEqual(Object.keys(evs[0]), [
    "job_id",
    "type",
    "content",
    "timestamp",
    "line_num",
    "source",
    "task",
  ]);
  // Other sources keep such a prefix in content.
  const file = { ...s, sourceKind: "file" } as StreamHandle;
  deepStrictEqual(eventsOf(file, b, sel)[0].content, "0: start");
  deepStrictEqual(eventsOf(file, b, sel)[0].task, undefined);
});

Deno.test("eventLines: lines without escapes, with terminal controls or surrogates, as JSON.stringify gives them", () => {
  const cases = [
    ["INFO plain", "WARN 12.5% done", "ERROR x=1 y=2"],
    ["plain", "C1 \u0085 next line", "bidi \u202e override"],
    ["lone \ud800 surrogate", "pair 😀 ok", "plain"],
    ["cr\rinside", "plain"],
  ];
  const hl = new LineFilter();
  hl.add({
    name: "progress",
    action: "highlight",
    color: "green",
    regex: compilePattern("\\d+(\\.\\d+)?%"),
  });
  const inc = new LineFilter();
  inc.add({
    name: "f",
    action: "include",
    color: "",
    regex: compilePattern("ERROR|WARN|plain|C1"),
  });
  for (const jobId of ["5", "5\u202e"]) {
    const s = { jobId, type: "stdout", sourceKind: "file" } as StreamHandle;
    for (const lines of cases) {
      const b: LineBatch = {
        text: lines.map((l) => l + "\n").join(""),
        count: lines.length,
        firstLine: 7,
        startOffset: 0,
        endOffset: 0,
        time: 1_750_000_000_123,
      };
      for (const f of [new LineFilter(), hl, inc]) {
        const sel = f.select(b);
        const h = f.highlights.length ? f : undefined;
        const expected = eventsOf(s, b, sel, h)
          .map((e) => escapeJsonControls(JSON.stringify(e)) + "\n").join("");
        deepStrictEqual(eventLines(s, b, sel, h), expected, JSON.stringify([jobId, lines]));
      }
    }
  }
});
