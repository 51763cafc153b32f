/**
 * The job tracker's view of a cluster that stops answering: one status when it goes, one when it
 * comes back, and the files followed meanwhile. The backend is a fake (pure lifecycle logic).
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert";
import { StreamManager } from "../../../src/mod.ts";
import type { ClusterBackend, JobInfo, StepInfo } from "../../../src/cluster/job.ts";
import type { StreamEvent } from "../../../src/core/stream_event.ts";
import { waitFor } from "../../_helpers/assert.ts";
import { defaultRawConfig } from "../../../src/config/defaults.ts";
import { configSchema } from "../../../src/config/schema.ts";
import { trackerTestConfig as config } from "../../_helpers/tracker_config.ts";

/** A backend whose answers the test switches: the job's record, or a failure. */
class FlakyCluster implements ClusterBackend {
  readonly name: string = "fake";
  failing = false;
  failures = 0;
  constructor(public job: JobInfo) {}
  listJobs(): Promise<JobInfo[]> {
    return this.getJob();
  }
  listSteps(): Promise<StepInfo[]> {
    return Promise.resolve([]);
  }
  getJob(): Promise<JobInfo[]> {
    if (this.failing) {
      this.failures++;
      return Promise.reject(new Error("slurm_load_jobs error: Unable to contact slurm controller"));
    }
    return Promise.resolve([{ ...this.job }]);
  }
  close(): void {}
}

Deno.test("JobTracker reports a cluster outage once, keeps following the file, and its end", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/slurm-77.out`;
  await Deno.writeTextFile(path, "before\n");
  const cluster = new FlakyCluster({
    id: "77",
    jobId: 77,
    name: "t",
    user: "u",
    state: "RUNNING",
    stdout: path,
    stderr: path,
  });
  const manager = new StreamManager({ config: config(), cluster, keepBuffers: false });
  const lines: string[] = [];
  const statuses: StreamEvent[] = [];
  manager.subscribe({
    onLines: (_s, batch) => void lines.push(...batch.text.trimEnd().split("\n")),
    onStatus: (_s, ev) => void statuses.push(ev),
  });
  const said = (re: RegExp) => statuses.filter((e) => re.test(e.content));
  try {
    await manager.startStream("77", "stdout");
    await waitFor(() => lines.includes("before"), {
      what: "the first line",
      timeout: 5000,
      interval: 2,
    });

    cluster.failing = true;
    await waitFor(() => said(/^cluster unreachable, retrying/).length > 0, {
      what: "the outage status",
      timeout: 5000,
      interval: 2,
    });
    const outage = said(/^cluster unreachable, retrying/)[0];
    strictEqual(outage.type, "status");
    strictEqual(outage.state, "retrying");
    ok(outage.content.includes("Unable to contact slurm controller"), outage.content);

    await Deno.writeTextFile(path, "during\n", { append: true });
    await waitFor(() => lines.includes("during"), {
      what: "a line written during the outage",
      timeout: 5000,
      interval: 2,
    });
    const seenFailures = cluster.failures;
    await waitFor(() => cluster.failures >= seenFailures + 3, {
      what: "more failed polls",
      timeout: 5000,
      interval: 2,
    });
    strictEqual(said(/^cluster unreachable/).length, 1, "the outage is announced once");

    cluster.failing = false;
    await waitFor(() => said(/^cluster reachable again$/).length > 0, {
      what: "the recovery status",
      timeout: 5000,
      interval: 2,
    });
    strictEqual(said(/^cluster reachable again$/)[0].state, "live");

    cluster.job = { ...cluster.job, state: "COMPLETED" };
    await manager.done();
    deepStrictEqual(lines, ["before", "during"]);
    strictEqual(said(/^cluster (unreachable|reachable)/).length, 2);
  } finally {
    manager.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("StreamManager.startStreams reports max_concurrent_streams before any stream starts", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/a.out`, "a\n");
  await Deno.writeTextFile(`${dir}/b.out`, "b\n");
  const cfg = config();
  cfg.streaming.max_concurrent_streams = 1;
  const manager = new StreamManager({ config: cfg, keepBuffers: false });
  const started: string[] = [];
  manager.subscribe({ onStart: (s) => void started.push(s.key) });
  try {
    let error: Error | undefined;
    try {
      await manager.startStreams([
        { target: { kind: "file", label: "a", path: `${dir}/a.out` }, follow: false },
        { target: { kind: "file", label: "b", path: `${dir}/b.out` }, follow: false },
      ]);
    } catch (err) {
      error = err as Error;
    }
    ok(error, "the limit is reported");
    ok(/cannot start more than 1 concurrent streams/.test(error.message), error.message);
    deepStrictEqual(started, [], "no stream started");
    strictEqual(manager.streams.length, 0);
  } finally {
    manager.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("slurm_api.poll_interval is how often slurmrestd is asked for job states", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/slurm-78.out`;
  await Deno.writeTextFile(path, "x\n");
  const cfg = config();
  cfg.cluster.poll_interval = 3_600_000;
  cfg.streaming.slurm_api.poll_interval = 20;
  let asked = 0;
  const cluster = new (class extends FlakyCluster {
    override readonly name = "rest";
    override getJob(): Promise<JobInfo[]> {
      asked++;
      return super.getJob();
    }
  })({ id: "78", jobId: 78, name: "t", user: "u", state: "RUNNING", stdout: path, stderr: path });
  const manager = new StreamManager({ config: cfg, cluster, keepBuffers: false });
  try {
    await manager.startStream("78", "stdout");
    const seen = asked;
    await waitFor(() => asked >= seen + 5, {
      timeout: 5000,
      what: "five more polls of the rest backend",
    });
  } finally {
    manager.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("JobTracker follows a job that starts soon after it was pending, without waiting for the poll interval", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/slurm-78.out`;
  const raw = defaultRawConfig() as {
    streaming: Record<string, unknown>;
    cluster: Record<string, unknown>;
  };
  raw.streaming.persistence = { ...(raw.streaming.persistence as object), enabled: false };
  raw.cluster.poll_interval = "60s";
  const cluster = new FlakyCluster({
    id: "78",
    jobId: 78,
    name: "t",
    user: "u",
    state: "PENDING",
    stdout: path,
    stderr: path,
  });
  let polls = 0;
  const getJob = cluster.getJob.bind(cluster);
  cluster.getJob = () => (polls++, getJob());
  const manager = new StreamManager({
    config: configSchema.parse(raw),
    cluster,
    keepBuffers: false,
  });
  const lines: string[] = [];
  manager.subscribe({
    onLines: (_s, batch) => void lines.push(...batch.text.trimEnd().split("\n")),
  });
  try {
    await manager.startStream("78", "stdout");
    await waitFor(() => polls >= 1, { what: "the first look", timeout: 5000, interval: 2 });
    // The job starts (Slurm creates its file) after s9s first looked.
    await Deno.writeTextFile(path, "first\n");
    cluster.job = { ...cluster.job, state: "RUNNING" };
    // Far sooner than the 60 s interval: the first polls of a pending job come early, and the
    // news of its start is acted on at once.
    await waitFor(() => lines.includes("first"), {
      what: "the first line",
      timeout: 5000,
      interval: 2,
    });
    cluster.job = { ...cluster.job, state: "COMPLETED" };
  } finally {
    manager.close();
    await Deno.remove(dir, { recursive: true });
  }
});
