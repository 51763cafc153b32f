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
import { waitFor } from "../../_helpers/assert.ts";
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

function watchOf(cluster: ClusterBackend, pollMs: number, signal = new AbortController().signal) {
  return new JobWatch("8", {
    cluster,
    pollMs,
    idleWarningMs: 60_000,
    signal,
    debug: NO_DEBUG,
    herald: () => undefined,
    status: () => {},
  });
}

/** `p`'s value, or a failure naming `what` when it has not settled within `ms`. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let settled = false;
  const out = p.finally(() => (settled = true));
  await waitFor(() => settled, { timeout: ms, interval: 5, what });
  return await out;
}

Deno.test("JobWatch asks again soon for a pending job (not only after the interval), sooner than for a running one", async () => {
  const polled: number[] = [];
  const cluster = {
    getJob: () => {
      polled.push(Date.now());
      return Promise.resolve([{ id: "8", state: "PENDING" } as JobInfo]);
    },
  } as unknown as ClusterBackend;
  const stop = new AbortController();
  const watch = watchOf(cluster, 60_000, stop.signal);
  const pending = [{ id: "8", state: "PENDING" } as JobInfo];
  // The first two polls of a pending job come within the first second, not after 60 s.
  await within(watch.next(pending), 5000, "the first poll of a pending job");
  await within(watch.next(pending), 5000, "the second poll of a pending job");
  deepStrictEqual(polled.length, 2);
  // A running job waits for the interval: stopped before it, it is not asked again.
  const running = watchOf(cluster, 60_000, stop.signal);
  const next = running.next([{ id: "8", state: "RUNNING" } as JobInfo]);
  stop.abort();
  deepStrictEqual(await next, undefined);
  deepStrictEqual(polled.length, 2);
});

Deno.test("JobWatch.untilNews ends as soon as a record with a new state is noted", async () => {
  const watch = watchOf({} as ClusterBackend, 60_000);
  const s = { state: "pending" } as unknown as Stream;
  watch.note(s, { id: "8", state: "PENDING" } as JobInfo, true);
  const waiting = watch.untilNews();
  // The same state again is no news; a new one is.
  watch.note(s, { id: "8", state: "PENDING" } as JobInfo, true);
  watch.note(s, { id: "8", state: "RUNNING" } as JobInfo, true);
  await within(waiting, 5000, "the wait for news");
});
