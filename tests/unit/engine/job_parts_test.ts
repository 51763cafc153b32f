import { deepStrictEqual } from "node:assert";
import {
  allocationFields,
  allocationParts,
  explainParts,
  MAX_PARTS,
} from "../../../src/engine/job_parts.ts";
import { resolveOutput } from "../../../src/cluster/path_resolver.ts";
import type { JobInfo } from "../../../src/cluster/job.ts";
import { defaultConfig } from "../../../src/config/default_config.ts";

const job: JobInfo = {
  id: "42",
  jobId: 42,
  name: "mpi",
  user: "u",
  state: "RUNNING",
  workDir: "/w",
  batchHost: "node01",
  nodeList: "node[01-02,07]",
  numTasks: 4,
};

Deno.test("allocationFields spots %t, %n and %N with padding, not %% or escaped patterns", () => {
  deepStrictEqual(allocationFields("out-%j-%2t.txt"), { tasks: true, nodes: false });
  deepStrictEqual(allocationFields("run-%N.out"), { tasks: false, nodes: true });
  deepStrictEqual(allocationFields("r-%n-%t"), { tasks: true, nodes: true });
  deepStrictEqual(allocationFields("100%%t.out"), { tasks: false, nodes: false });
  deepStrictEqual(allocationFields("a\\%t"), { tasks: false, nodes: false });
  deepStrictEqual(allocationFields(undefined), { tasks: false, nodes: false });
});

Deno.test("allocationParts gives one part per task, per node, or per combination", () => {
  deepStrictEqual(allocationParts("out-%t", job)!.map((p) => p.part), [
    { label: "task 0", task: 0 },
    { label: "task 1", task: 1 },
    { label: "task 2", task: 2 },
    { label: "task 3", task: 3 },
  ]);
  const nodes = allocationParts("/tmp/run-%N-%n", job)!;
  deepStrictEqual(nodes.map((p) => [p.part.label, p.host, p.fields.nodeIndex]), [
    ["node01", "node01", 0],
    ["node02", "node02", 1],
    ["node07", "node07", 2],
  ]);
  deepStrictEqual(allocationParts("%N-%t", { ...job, numTasks: 2 })!.map((p) => p.part.label), [
    "node01 task 0",
    "node01 task 1",
    "node02 task 0",
    "node02 task 1",
    "node07 task 0",
    "node07 task 1",
  ]);
  deepStrictEqual(allocationParts("out-%j.txt", job), undefined);
  deepStrictEqual(allocationParts("%N", { ...job, nodeList: undefined }), undefined);
  deepStrictEqual(allocationParts("%t", { ...job, numTasks: 10_000 })!.length, MAX_PARTS);
});

Deno.test("a part's file is the pattern expanded for its task and node, padded, in WorkDir", async () => {
  const cfg = defaultConfig().streaming;
  const exists = () => Promise.resolve(false);
  const paths = await Promise.all(
    allocationParts("o-%j-%3t-%n-%N.txt", { ...job, nodeList: "a[1-2]-ib", numTasks: 1 })!.map(
      async (p) =>
        (await resolveOutput("42", job, "stdout", cfg, {
          pathOverride: "o-%j-%3t-%n-%N.txt",
          fields: p.fields,
          host: p.host,
          exists,
        })).location,
    ),
  );
  deepStrictEqual(paths.map((l) => [l?.path, l?.host]), [
    ["/w/o-42-000-0-a1-ib.txt", "a1-ib"],
    ["/w/o-42-000-1-a2-ib.txt", "a2-ib"],
  ]);
  const lines = await explainParts({ ...job, numTasks: 2 }, "stdout", {
    config: cfg,
    options: { path: "/nonexistent-s9s/out-%j-%t" },
  });
  deepStrictEqual(lines, [
    "    /nonexistent-s9s/out-%j-%t: 2 file(s), for 2 task(s) on node[01-02,07]",
    "    task 0: missing /nonexistent-s9s/out-42-0 — not there yet; will wait for it",
    "    task 1: missing /nonexistent-s9s/out-42-1 — not there yet; will wait for it",
  ]);
});
