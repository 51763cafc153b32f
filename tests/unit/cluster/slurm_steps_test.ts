import { deepStrictEqual } from "node:assert";
import { isSrunStep } from "../../../src/cluster/job.ts";
import { SlurmCliBackend } from "../../../src/cluster/slurm_cli.ts";
import { parseSqueueSteps, SQUEUE_SEP, STEP_FORMAT } from "../../../src/cluster/slurm_text.ts";
import { assertRejects } from "../../_helpers/assert.ts";
import { fakeRunner } from "./_fake_runner.ts";

const row = (...f: string[]) => f.join(SQUEUE_SEP);

Deno.test("parseSqueueSteps reads `squeue -s` rows: srun steps, batch, array tasks", () => {
  const text = [
    row("318.0", "sleep", "root", "vm", "2"),
    row("318.batch", "batch", "root", "vm", "1"),
    row("40_3.1", "python", "ana", "node[01-02]"),
    row("garbage"),
    "",
  ].join("\n");
  const steps = parseSqueueSteps(text);
  const fields = steps.map((s) => [s.id, s.jobId, s.stepId, s.name, s.user, s.nodeList]);
  deepStrictEqual(fields, [
    ["318.0", "318", "0", "sleep", "root", "vm"],
    ["318.batch", "318", "batch", "batch", "root", "vm"],
    ["40_3.1", "40_3", "1", "python", "ana", "node[01-02]"],
  ]);
  // The task count (`%A`): absent from rows of an older format.
  deepStrictEqual(steps.map((s) => s.numTasks), [2, 1, undefined]);
  deepStrictEqual(steps.map(isSrunStep), [true, false, true]);
});

Deno.test("SlurmCliBackend.listSteps asks squeue -s, for one job with -j", async () => {
  const f = fakeRunner({ "squeue -h -s": { stdout: row("7.0", "srun", "root", "vm") + "\n" } });
  const b = new SlurmCliBackend({ run: f.run, accounting: false });
  deepStrictEqual((await b.listSteps("7")).map((s) => s.id), ["7.0"]);
  deepStrictEqual((await b.listSteps()).length, 1);
  deepStrictEqual(f.calls, [
    `squeue -h -s -j 7 -o ${STEP_FORMAT}`,
    `squeue -h -s -o ${STEP_FORMAT}`,
  ]);
});

Deno.test("SlurmCliBackend.listSteps: an unknown job has no steps, other failures are errors", async () => {
  const gone = fakeRunner({
    "squeue": { code: 1, stderr: "slurm_load_jobs error: Invalid job id specified" },
  });
  deepStrictEqual(await new SlurmCliBackend({ run: gone.run }).listSteps("9"), []);
  const down = fakeRunner({
    "squeue": { code: 1, stderr: "slurm_load_jobs error: Unable to contact slurm controller" },
  });
  await assertRejects(() => new SlurmCliBackend({ run: down.run }).listSteps("9"));
});
