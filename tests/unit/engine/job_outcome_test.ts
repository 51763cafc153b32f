import { deepStrictEqual } from "node:assert";
import { jobOutcome } from "../../../src/engine/job_outcome.ts";
import type { JobInfo } from "../../../src/cluster/job.ts";

const job = (id: string, state: string, more: Partial<JobInfo> = {}): JobInfo => ({
  id,
  jobId: Number(id.split("_")[0]),
  name: "j",
  user: "u",
  state,
  ...more,
});

Deno.test("jobOutcome says nothing for success and one line on why a job did not succeed", () => {
  deepStrictEqual(jobOutcome("5", [job("5", "COMPLETED")]), undefined);
  deepStrictEqual(
    jobOutcome("5", [job("5", "FAILED", { exitCode: 3 })]),
    "job 5 ended FAILED, exit code 3",
  );
  deepStrictEqual(
    jobOutcome("5", [job("5", "TIMEOUT")]),
    "job 5 ended TIMEOUT (time limit reached)",
  );
  deepStrictEqual(
    jobOutcome("5", [job("5", "OUT_OF_MEMORY", { exitCode: 125 })]),
    "job 5 ended OUT_OF_MEMORY (out of memory), exit code 125",
  );
  deepStrictEqual(
    jobOutcome("5", [job("5", "NODE_FAIL")]),
    "job 5 ended NODE_FAIL (a node failed)",
  );
  deepStrictEqual(
    jobOutcome("5", [job("5", "CANCELLED", { exitSignal: 15 })]),
    "job 5 ended CANCELLED (cancelled, signal 15)",
  );
});

Deno.test("jobOutcome names an array's failed tasks, at most five", () => {
  const tasks = Array.from(
    { length: 8 },
    (_, i) => job(`9_${i}`, i === 0 ? "COMPLETED" : "FAILED", { exitCode: i }),
  );
  deepStrictEqual(
    jobOutcome("9", tasks),
    "job 9: 7 of 8 tasks did not succeed: 9_1 FAILED, exit code 1; 9_2 FAILED, exit code 2; " +
      "9_3 FAILED, exit code 3; 9_4 FAILED, exit code 4; 9_5 FAILED, exit code 5, and 2 more",
  );
});
