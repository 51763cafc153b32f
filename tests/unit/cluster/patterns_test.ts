import { deepStrictEqual } from "node:assert";
import { expandPattern, fieldsOf, hasPattern } from "../../../src/cluster/patterns.ts";
import type { JobInfo } from "../../../src/cluster/job.ts";

const task = {
  jobId: 1234,
  arrayJobId: 1230,
  arrayTaskId: 4,
  name: "train",
  user: "ada",
  node: "gpu07",
};
const plain = { jobId: 77, name: "sim", user: "bob", node: "cn001" };

Deno.test("expandPattern expands every field Slurm knows for a batch step", () => {
  deepStrictEqual(
    expandPattern("%j %J %A %a %x %u %N %n %t %s %%", task),
    "1234 1234 1230 4 train ada gpu07 0 0 batch %",
  );
  deepStrictEqual(expandPattern("logs/%x-%j.out", plain), "logs/sim-77.out");
  deepStrictEqual(expandPattern("slurm-%A_%a.out", task), "slurm-1230_4.out");
});

Deno.test("expandPattern zero-pads numbers like %4a and caps the width at 10", () => {
  deepStrictEqual(expandPattern("r-%4a-%6j-%2A", task), "r-0004-001234-1230");
  deepStrictEqual(expandPattern("%12j", plain), "0000000077");
});

Deno.test("expandPattern gives %A the job id and %a NO_VAL for a job that is not an array", () => {
  deepStrictEqual(expandPattern("%A_%a", plain), "77_4294967294");
});

Deno.test("expandPattern leaves unknown fields and unknown codes as they are", () => {
  deepStrictEqual(expandPattern("%x-%N-%q", { jobId: 5 }), "%x-%N-%q");
});

Deno.test("expandPattern treats a backslash as 'no expansion' and drops it, as Slurm does", () => {
  deepStrictEqual(expandPattern("out\\%j.log", plain), "out%j.log");
  deepStrictEqual(hasPattern("out\\%j.log"), false);
});

Deno.test("hasPattern spots %-fields with and without padding", () => {
  deepStrictEqual(hasPattern("/a/slurm-%j.out"), true);
  deepStrictEqual(hasPattern("/a/r-%04a.out"), true);
  deepStrictEqual(hasPattern("/a/slurm-12.out"), false);
  deepStrictEqual(hasPattern("/a/100%.out"), false);
});

Deno.test("fieldsOf takes the batch host, else the first node of the node list", () => {
  const job: JobInfo = {
    id: "9_2",
    jobId: 11,
    arrayJobId: 9,
    arrayTaskId: 2,
    name: "n",
    user: "u",
    state: "RUNNING",
    nodeList: "node[03-05,09]",
  };
  deepStrictEqual(fieldsOf(job), {
    jobId: 11,
    arrayJobId: 9,
    arrayTaskId: 2,
    name: "n",
    user: "u",
    node: "node03",
  });
  deepStrictEqual(fieldsOf({ ...job, batchHost: "node04" }).node, "node04");
  deepStrictEqual(expandPattern("%N.log", fieldsOf({ ...job, nodeList: "cn7" })), "cn7.log");
});
