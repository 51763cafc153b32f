import { deepStrictEqual } from "node:assert";
import { splitTasks } from "../../../src/engine/task_split.ts";
import { LineFilter } from "../../../src/engine/filter.ts";
import { compilePattern } from "../../../src/config/regex.ts";
import { linesBatch } from "../../_helpers/line_batch.ts";
import type { StreamHandle, StreamListener } from "../../../src/engine/stream.ts";
import { eventLines } from "../../../src/sinks/json.ts";

const batch = linesBatch;

const step = { key: "7.0:stdout", jobId: "7.0", type: "stdout", sourceKind: "api" } as StreamHandle;

/** What reaches the inner listener, as JSON events (content, line_num, task). */
function recorder(): { seen: string[]; listener: StreamListener } {
  const seen: string[] = [];
  return {
    seen,
    listener: {
      onLines(s, b, sel) {
        for (const l of eventLines(s, b, sel).split("\n").filter(Boolean)) {
          const e = JSON.parse(l);
          seen.push(`${s.key}|${e.line_num}|${e.task}|${e.content}`);
        }
      },
    },
  };
}

Deno.test("splitTasks gives each task its own stream, label off, numbered per task", async () => {
  const r = recorder();
  const split = splitTasks(r.listener);
  const all = new LineFilter();
  const b1 = batch(["0: a", " 1: b", "0: c", "sattach: note"], 1);
  await split.onLines!(step, b1, all.select(b1));
  const b2 = batch(["1: d", "0: 1: e"], 5);
  await split.onLines!(step, b2, all.select(b2));
  deepStrictEqual(r.seen.sort(), [
    "7.0 task 0:stdout|1|0|a",
    "7.0 task 0:stdout|2|0|c",
    "7.0 task 0:stdout|3|0|1: e",
    "7.0 task 1:stdout|1|1|b",
    "7.0 task 1:stdout|2|1|d",
    "7.0:stdout|4|undefined|sattach: note",
  ]);
});

Deno.test("splitTasks with only one task, and a filter, keeps that task's own line numbers", async () => {
  const r = recorder();
  const split = splitTasks(r.listener, { only: 1 });
  const f = new LineFilter();
  f.add({ name: "x", action: "include", color: "", regex: compilePattern("keep") });
  const b = batch(["1: drop", "0: keep", "1: keep me", "unlabelled keep"], 1);
  await split.onLines!(step, b, f.select(b));
  deepStrictEqual(r.seen, ["7.0 task 1:stdout|2|1|keep me"]);
});
