/**
 * A requeued job's next run rewrites its output file. Whether s9s reads the rewrite with the
 * source it has (the new run started between two polls) or with a new one (the poll saw the job
 * pending first), each line of each run comes once. Two races are played here with a fake backend:
 * the new run's rewrite met by the old source while it finishes, and met before a poll's "pending"
 * answer that was on its way while the new run started. CI once printed the first run's lines three
 * times with a real Slurm.
 */
import { deepStrictEqual } from "node:assert";
import { StreamManager } from "../../../src/mod.ts";
import type { ClusterBackend, JobInfo, StepInfo } from "../../../src/cluster/job.ts";
import { waitFor } from "../../_helpers/assert.ts";
import { trackerTestConfig as config } from "../../_helpers/tracker_config.ts";

/**
 * A backend whose answer the test sets; `hold` keeps the next answer (taken now) from arriving
 * until `release`, and `onAsk` runs when a poll asks (before it is answered).
 */
class RequeueCluster implements ClusterBackend {
  readonly name: string = "fake";
  #held?: { job: JobInfo; release: Promise<void> };
  onAsk?: () => void;
  constructor(public job: JobInfo) {}
  listJobs(): Promise<JobInfo[]> {
    return this.getJob();
  }
  listSteps(): Promise<StepInfo[]> {
    return Promise.resolve([]);
  }
  /** The next poll's answer is the job as it is now, delivered once `release` resolves. */
  hold(release: Promise<void>): void {
    this.#held = { job: { ...this.job }, release };
  }
  async getJob(): Promise<JobInfo[]> {
    const asked = this.onAsk;
    this.onAsk = undefined;
    asked?.();
    const held = this.#held;
    if (held) {
      this.#held = undefined;
      await held.release;
      return [held.job];
    }
    return [{ ...this.job }];
  }
  close(): void {}
}

/** Job 88 running its first run, which wrote a, b, c; s9s following its stdout. */
async function firstRun() {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/slurm-88.out`;
  await Deno.writeTextFile(path, "a\nb\nc\n");
  const cluster = new RequeueCluster({
    id: "88",
    jobId: 88,
    name: "t",
    user: "u",
    state: "RUNNING",
    stdout: path,
    stderr: path,
    startTime: 1_000,
    restarts: 0,
  });
  const manager = new StreamManager({ config: config(), cluster, keepBuffers: false });
  const lines: string[] = [];
  manager.subscribe({
    onLines: (_s, batch) => void lines.push(...batch.text.trimEnd().split("\n")),
  });
  await manager.startStream("88", "stdout");
  await waitFor(() => lines.length >= 3, { what: "the first run's lines", interval: 2 });
  return { dir, path, cluster, manager, lines };
}

/** The second run (restart 1), which began with a and b, is running: it writes c, d and ends. */
async function secondRunEnds(r: Awaited<ReturnType<typeof firstRun>>): Promise<void> {
  r.cluster.job = { ...r.cluster.job, state: "RUNNING", startTime: 2_000, restarts: 1 };
  await waitFor(() => r.lines.filter((l) => l === "b").length >= 2, {
    what: `the second run's first lines (have ${r.lines})`,
    interval: 2,
  });
  await Deno.writeTextFile(r.path, "c\nd\n", { append: true });
  await waitFor(() => r.lines.includes("d"), { what: "d", interval: 2 });
  r.cluster.job = { ...r.cluster.job, state: "COMPLETED" };
  await r.manager.done();
}

Deno.test("a requeued job's next run, started right after the poll that saw it pending, is read once", async () => {
  const r = await firstRun();
  try {
    // The poll that answers "pending" is asked; the next run starts (truncates the file and
    // writes its first lines) as its answer comes back, before the old source has looked again.
    r.cluster.job = { ...r.cluster.job, state: "PENDING", restarts: 1 };
    r.cluster.onAsk = () => Deno.writeTextFileSync(r.path, "a\nb\n");
    await waitFor(() => r.cluster.onAsk === undefined, { what: "the poll", interval: 2 });
    await secondRunEnds(r);
    deepStrictEqual(r.lines, ["a", "b", "c", "a", "b", "c", "d"]);
  } finally {
    r.manager.close();
    await Deno.remove(r.dir, { recursive: true });
  }
});

Deno.test("a requeued job's next run, read by the old source before a late 'pending' answer came, is read once", async () => {
  const r = await firstRun();
  try {
    // A poll's answer, taken while the job was pending, is held back; meanwhile the next run
    // starts and the source reads its lines as a rewrite. Then the late answer arrives.
    let release!: () => void;
    r.cluster.job = { ...r.cluster.job, state: "PENDING", restarts: 1 };
    r.cluster.hold(new Promise<void>((ok) => release = ok));
    await Deno.writeTextFile(r.path, "a\nb\n");
    await waitFor(() => r.lines.length >= 5, { what: "the rewrite read", interval: 2 });
    r.cluster.job = { ...r.cluster.job, state: "RUNNING", startTime: 2_000, restarts: 1 };
    release();
    await secondRunEnds(r);
    deepStrictEqual(r.lines, ["a", "b", "c", "a", "b", "c", "d"]);
  } finally {
    r.manager.close();
    await Deno.remove(r.dir, { recursive: true });
  }
});
