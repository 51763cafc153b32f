import { deepStrictEqual } from "node:assert";
import { outputListener, prefixedFromStart } from "../../../src/cli/stream_output.ts";
import { planTargets, type TargetFlags } from "../../../src/cli/stream_targets.ts";
import { LineFilter } from "../../../src/engine/filter.ts";
import type { StreamHandle, StreamManager } from "../../../src/engine/stream_manager.ts";
import { linesBatch } from "../../_helpers/line_batch.ts";

const batch = linesBatch;

/** What `s9s stream` with `flags` prints first for `lines` of `s`, while only `s` is read. */
async function printed(flags: TargetFlags, s: StreamHandle, lines: string[], only?: number) {
  let out = "";
  const filter = new LineFilter();
  const manager = { filter, streams: [s], errors: [] } as unknown as StreamManager;
  const tasks = only === undefined ? undefined : { only };
  const listener = outputListener(manager, {
    out: { write: (t) => Promise.resolve(void (out += t)) },
    json: false,
    progress: false,
    color: false,
    several: prefixedFromStart({ targets: planTargets(flags), tasks }),
    jobs: ["42"],
    quiet: true,
  });
  const b = batch(lines);
  await listener.onLines!(s, b, filter.select(b));
  return out;
}

const handle = (key: string, part?: StreamHandle["part"]) =>
  ({ key, jobId: "42", type: "stdout", part, reading: true }) as StreamHandle;

Deno.test("a task's own file is prefixed from its first line, even before its siblings read", async () => {
  // `--path 'out-%j-%t.txt'`: task 0's file was found and read while task 1's was still being
  // located (not read yet). Its lines came out plain, and only task 1's had a prefix.
  const flags = { jobs: ["42"], paths: ["out-%j-%t.txt"] };
  const t0 = handle("42 task 0:stdout", { label: "task 0", task: 0 });
  deepStrictEqual(
    await printed(flags, t0, ["t0 l1", "t0 l2"]),
    [
      "[42 task 0:stdout] t0 l1\n",
      "[42 task 0:stdout] t0 l2\n",
    ].join(""),
  );
  const n7 = handle("42 node07:stdout", { label: "node07", node: "node07" });
  deepStrictEqual(
    await printed({ jobs: ["42"], paths: ["/tmp/o-%N"] }, n7, ["x"]),
    "[42 node07:stdout] x\n",
  );
  deepStrictEqual(
    await printed({ jobs: ["42"], paths: ["o"], stderrPath: "e-%2t" }, t0, ["y"]),
    "[42 task 0:stdout] y\n",
  );
});

Deno.test("a job's single stream, and one task picked with --task, print plain lines", async () => {
  const job = handle("42:stdout");
  deepStrictEqual(
    await printed({ jobs: ["42"], paths: ["out-%j.txt"] }, job, ["a", "b"]),
    "a\nb\n",
  );
  deepStrictEqual(await printed({ jobs: ["42"], paths: ["100%%t"] }, job, ["c"]), "c\n");
  const t0 = handle("42.0 task 0:stdout", { label: "task 0", task: 0 });
  deepStrictEqual(await printed({ jobs: ["42.0"] }, t0, ["d"], 0), "d\n");
});
