import { expandPattern, fieldsOf, hasPattern } from "../../../src/cluster/patterns.ts";
import type { JobInfo } from "../../../src/cluster/job.ts";
import { assertEquals } from "../../_helpers/assert.ts";

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
  assertEquals(
    expandPattern("%j %J %A %a %x %u %N %n %t %s %%", task),
    "1234 1234 1230 4 train ada gpu07 0 0 batch %",
  );
  assertEquals(expandPattern("logs/%x-%j.out", plain), "logs/sim-77.out");
  assertEquals(expandPattern("slurm-%A_%a.out", task), "slurm-1230_4.out");
});

Deno.test("expandPattern zero-pads numbers like %4a and caps the width at 10", () => {
  assertEquals(expandPattern("r-%4a-%6j-%2A", task), "r-0004-001234-1230");
  assertEquals(expandPattern("%12j", plain), "0000000077");
});

Deno.test("expandPattern gives %A the job id and %a NO_VAL for a job that is not an array", () => {
  assertEquals(expandPattern("%A_%a", plain), "77_4294967294");
});

Deno.test("expandPattern leaves unknown fields and unknown codes as they are", () => {
  assertEquals(expandPattern("%x-%N-%q", { jobId: 5 }), "%x-%N-%q");
});

Deno.test("expandPattern treats a backslash as 'no expansion' and drops it, as Slurm does", () => {
  assertEquals(expandPattern("out\\%j.log", plain), "out%j.log");
  assertEquals(hasPattern("out\\%j.log"), false);
});

Deno.test("hasPattern spots %-fields with and without padding", () => {
  assertEquals(hasPattern("/a/slurm-%j.out"), true);
  assertEquals(hasPattern("/a/r-%04a.out"), true);
  assertEquals(hasPattern("/a/slurm-12.out"), false);
  assertEquals(hasPattern("/a/100%.out"), false);
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
  assertEquals(fieldsOf(job), {
    jobId: 11,
    arrayJobId: 9,
    arrayTaskId: 2,
    name: "n",
    user: "u",
    node: "node03",
  });
  assertEquals(fieldsOf({ ...job, batchHost: "node04" }).node, "node04");
  assertEquals(expandPattern("%N.log", fieldsOf({ ...job, nodeList: "cn7" })), "cn7.log");
});
