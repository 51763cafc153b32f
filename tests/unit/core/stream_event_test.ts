import { deepStrictEqual, strictEqual } from "node:assert";
import { buildStreamEvent } from "../../../src/core/stream_event.ts";

const base = {
  jobId: "12_3",
  type: "stdout" as const,
  content: "loss=0.5",
  time: Date.UTC(2026, 10, 29, 15, 28, 23, 455),
  lineNum: 5,
  source: "file" as const,
};

Deno.test("buildStreamEvent gives the guide's fields, in order, and no empty extras", () => {
  const ev = buildStreamEvent(base, { truncated: false, highlights: undefined, discarded: 0 });
  deepStrictEqual(ev, {
    job_id: "12_3",
    type: "stdout",
    content: "loss=0.5",
    timestamp: "2026-11-29T15:28:23.455Z",
    line_num: 5,
    source: "file",
  });
  deepStrictEqual(Object.keys(ev), [
    "job_id",
    "type",
    "content",
    "timestamp",
    "line_num",
    "source",
  ]);
});

Deno.test("buildStreamEvent orders status extras as the JSON output always had them", () => {
  const ev = buildStreamEvent({ ...base, type: "status", content: "job 12_3 is RUNNING" }, {
    discarded: 3,
    job_state: "RUNNING",
    stream: "stdout",
    state: "live",
  });
  strictEqual(
    JSON.stringify(ev),
    '{"job_id":"12_3","type":"status","content":"job 12_3 is RUNNING","timestamp":"2026-11-29T15:28:23.455Z","line_num":5,"source":"file","state":"live","stream":"stdout","job_state":"RUNNING","discarded":3}',
  );
});

Deno.test("buildStreamEvent takes a timestamp string made once for many lines", () => {
  const ev = buildStreamEvent({ ...base, time: "2026-11-29T15:28:23.455Z" }, {
    truncated: true,
    highlights: ["progress"],
  });
  strictEqual(ev.timestamp, "2026-11-29T15:28:23.455Z");
  deepStrictEqual([ev.truncated, ev.highlights], [true, ["progress"]]);
});
