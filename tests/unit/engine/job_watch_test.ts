/**
 * JobWatch's word on the cluster: a poll whose Slurm command was killed by a stop signal (s9s
 * stopping under `timeout` or Ctrl+C, which signal the whole process group) is not an outage.
 */
import { deepStrictEqual, ok } from "node:assert";
import type { ClusterBackend, JobInfo } from "../../../src/cluster/job.ts";
import {
  runSlurmCommand,
  SlurmCommandStopped,
  stoppedBySignal,
} from "../../../src/cluster/slurm_command.ts";
import { NO_DEBUG } from "../../../src/core/debug_log.ts";
import { JobWatch } from "../../../src/engine/job_watch.ts";
import type { Stream } from "../../../src/engine/stream.ts";

Deno.test("runSlurmCommand reports a command killed by SIGTERM as stopped, not as failed", async () => {
  const err = await runSlurmCommand("sh", ["-c", "kill -TERM $$"]).then(
    () => undefined,
    (e) => e,
  );
  ok(err instanceof SlurmCommandStopped, String(err));
  deepStrictEqual(err.message, `"sh -c kill -TERM $$" was stopped by SIGTERM`);
  const plain = await runSlurmCommand("sh", ["-c", "exit 143"]);
  deepStrictEqual(plain.code, 143, "an exit code of its own is the command's answer");
});

Deno.test("JobWatch announces no outage for a poll stopped by a signal, but does for a failure", async () => {
  let fail: Error = new SlurmCommandStopped(`"scontrol show job 7" was stopped by SIGTERM`);
  const cluster = {
    getJob: () => Promise.reject(fail),
  } as unknown as ClusterBackend;
  const said: string[] = [];
  const herald = { state: "live" } as unknown as Stream;
  const watch = new JobWatch("7", {
    cluster,
    pollMs: 0,
    idleWarningMs: 60_000,
    signal: new AbortController().signal,
    debug: NO_DEBUG,
    herald: () => herald,
    status: (_s, state, message) => said.push(`${state}: ${message}`),
  });
  const jobs = [{ id: "7", state: "RUNNING" } as JobInfo];
  await watch.next(jobs);
  deepStrictEqual(said, []);
  ok(!watch.unreachable);
  ok(stoppedBySignal(new Error("wrapped", { cause: fail })));
  fail = new Error(
    `"scontrol show job 7" failed: slurm_load_jobs error: Unable to contact slurm controller`,
  );
  await watch.next(jobs);
  deepStrictEqual(said, [`retrying: cluster unreachable, retrying: ${fail.message}`]);
});
