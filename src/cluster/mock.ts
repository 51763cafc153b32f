/**
 * The embedded mock cluster, for a first run and demos with no Slurm: a handful of jobs that
 * change state over time and write real output files (progress, `\r` bars, warnings, errors,
 * stderr) into a private temporary directory.
 * @module
 */
import { jobIdString } from "./job_info.ts";
import type { ClusterBackend, JobInfo, ListOptions, StepInfo } from "./job.ts";

interface MockJob {
  info: JobInfo;
  /** Seconds after start when it starts running (0 = already running, -1 = never). */
  startAt: number;
  /** Seconds it runs; Infinity for ever. */
  runFor: number;
  /**
   * Seconds it had been running when the cluster started (a job already running has output a
   * user can look at at once, as on a real cluster: `--no-follow` right after start prints it).
   */
  ranBefore?: number;
  /** When it started running (ms), and how fast its clock goes: its lines' timestamps. */
  startWall?: number;
  speed?: number;
  finalState: string;
  exitCode: number;
  writer?: (t: number, job: MockJob) => void;
  out?: Deno.FsFile;
  err?: Deno.FsFile;
  lines: number;
  partial?: string;
}

/** Options for the mock cluster. */
export interface MockClusterOptions {
  /** Time runs this many times faster (tests). */
  speed?: number;
  /** Where to write output; a fresh temp directory by default. */
  dir?: string;
}

const enc = new TextEncoder();

/** The mock cluster backend. Start it with {@link MockCluster.start}. */
export class MockCluster implements ClusterBackend {
  readonly name = "mock";
  readonly dir: string;
  #jobs: MockJob[] = [];
  #t0 = Date.now();
  #speed: number;
  #timer?: ReturnType<typeof setInterval>;
  #ownDir: boolean;

  private constructor(dir: string, ownDir: boolean, speed: number) {
    this.dir = dir;
    this.#ownDir = ownDir;
    this.#speed = speed;
  }

  /** Create the directory and jobs, and start the clock. */
  static start(options: MockClusterOptions = {}): MockCluster {
    const own = !options.dir;
    const dir = options.dir ?? Deno.makeTempDirSync({ prefix: "s9s-mock-" });
    const speed = options.speed ?? Number(Deno.env.get("S9S_MOCK_SPEED") || 1);
    const c = new MockCluster(dir, own, speed > 0 ? speed : 1);
    c.#setup();
    c.#tick();
    c.#timer = setInterval(() => c.#tick(), Math.max(20, 100 / c.#speed));
    Deno.unrefTimer(c.#timer as unknown as number);
    return c;
  }

  #elapsed(): number {
    return ((Date.now() - this.#t0) / 1000) * this.#speed;
  }

  #setup(): void {
    const user = Deno.env.get("USER") || Deno.env.get("LOGNAME") || "user";
    const now = Date.now();
    const mk = (
      jobId: number,
      name: string,
      extra: Partial<Omit<MockJob, "info">> & { info?: Partial<JobInfo> },
    ): MockJob => {
      const id = jobIdString(jobId, extra.info?.arrayJobId, extra.info?.arrayTaskId);
      const base = extra.info?.arrayTaskId !== undefined ? `${name}-${id}` : `${name}-${jobId}`;
      const job: MockJob = {
        startAt: 0,
        runFor: Infinity,
        finalState: "COMPLETED",
        exitCode: 0,
        lines: 0,
        ...extra,
        info: {
          id,
          jobId,
          name,
          user,
          state: "PENDING",
          workDir: this.dir,
          stdout: `${this.dir}/${base}.out`,
          stderr: `${this.dir}/${base}.err`,
          partition: "debug",
          submitTime: now - 60_000,
          backend: "mock",
          ...extra.info,
        },
      };
      return job;
    };
    this.#jobs = [
      mk(1001, "train_model", { startAt: 0, ranBefore: 12, runFor: 900, writer: trainWriter }),
      mk(1002, "preprocess", { startAt: 0, runFor: 8, writer: progressWriter }),
      mk(1003, "simulate", {
        startAt: 6,
        runFor: 40,
        writer: simWriter,
        info: { reason: "Resources" },
      }),
      mk(1004, "analysis", { startAt: -2, runFor: 0, writer: undefined }),
      mk(1005, "bad_job", { startAt: -2, runFor: 0, finalState: "FAILED", exitCode: 1 }),
      ...[1, 2, 3].map((k) =>
        mk(1005 + k, "sweep", {
          startAt: k - 1,
          runFor: 20 + k * 5,
          writer: sweepWriter,
          info: { arrayJobId: 1006, arrayTaskId: k },
        })
      ),
      mk(1009, "big_gpu", { startAt: -1, info: { reason: "Priority" } }),
      mk(1010, "quick_job", { startAt: 0, runFor: 3, writer: quickWriter }),
    ];
    // Finished jobs come with their output already there.
    this.#prewrite(this.#jobs[3], 200, false);
    this.#prewrite(this.#jobs[4], 30, true);
  }

  #prewrite(job: MockJob, n: number, failing: boolean): void {
    const out: string[] = [];
    for (let i = 1; i <= n; i++) {
      out.push(`[analysis] processed chunk ${i}/${n} (${Math.round((i / n) * 100)}%)`);
    }
    if (!failing) out.push("Analysis finished successfully");
    Deno.writeTextFileSync(job.info.stdout!, out.join("\n") + "\n");
    Deno.writeTextFileSync(
      job.info.stderr!,
      failing
        ? [
          "Traceback (most recent call last):",
          '  File "run.py", line 42, in <module>',
          "    main()",
          "ValueError: could not convert string to float: 'nan?'",
          "ERROR: job failed with exit code 1",
        ].join("\n") + "\n"
        : "",
    );
    job.info.state = job.finalState;
    job.info.exitCode = job.exitCode;
    job.info.startTime = Date.now() - 3_600_000;
    job.info.endTime = Date.now() - 600_000;
    job.info.batchHost = "mock-node01";
    job.info.nodeList = "mock-node01";
  }

  #tick(): void {
    const t = this.#elapsed();
    for (const job of this.#jobs) {
      const info = job.info;
      if (job.startAt < 0) continue;
      if (info.state === "PENDING" && t >= job.startAt) {
        info.state = "RUNNING";
        info.reason = undefined;
        job.speed = this.#speed;
        job.startWall = Date.now() - ((job.ranBefore ?? 0) * 1000) / this.#speed;
        info.startTime = Math.floor(job.startWall);
        info.batchHost = `mock-node0${(info.jobId % 4) + 1}`;
        info.nodeList = info.batchHost;
        job.out = Deno.openSync(info.stdout!, { create: true, append: true });
        job.err = Deno.openSync(info.stderr!, { create: true, append: true });
      }
      if (info.state !== "RUNNING") continue;
      const ran = t - job.startAt + (job.ranBefore ?? 0);
      job.writer?.(ran, job);
      if (ran >= job.runFor) {
        if (job.partial) write(job.out!, job.partial + "\n");
        write(job.out!, `Job ${info.id} finished with exit code ${job.exitCode}\n`);
        job.out?.close();
        job.err?.close();
        job.out = job.err = undefined;
        info.state = job.finalState;
        info.exitCode = job.exitCode;
        info.endTime = Date.now();
      }
    }
  }

  listJobs(options: ListOptions = {}): Promise<JobInfo[]> {
    this.#tick();
    let jobs = this.#jobs.map((j) => ({ ...j.info }));
    if (options.states?.length) {
      const want = new Set(options.states.map((s) => s.toUpperCase()));
      jobs = jobs.filter((j) => want.has(j.state));
    }
    if (options.user) jobs = jobs.filter((j) => j.user === options.user);
    return Promise.resolve(jobs);
  }

  /** The mock's jobs run no srun steps. */
  listSteps(_jobId?: string): Promise<StepInfo[]> {
    return Promise.resolve([]);
  }

  getJob(id: string): Promise<JobInfo[]> {
    this.#tick();
    const found = this.#jobs.filter((j) =>
      j.info.id === id || (j.info.arrayJobId !== undefined && String(j.info.arrayJobId) === id)
    );
    return Promise.resolve(found.map((j) => ({ ...j.info })));
  }

  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    for (const j of this.#jobs) {
      try {
        j.out?.close();
        j.err?.close();
      } catch { /* closed */ }
    }
    if (this.#ownDir) {
      try {
        Deno.removeSync(this.dir, { recursive: true });
      } catch { /* gone */ }
    }
  }
}

function write(f: Deno.FsFile, s: string): void {
  try {
    f.writeSync(enc.encode(s));
  } catch { /* closed */ }
}

/** The time of day when `job` wrote its line due at `perSec` lines a second (now, if not known). */
function stamp(job?: MockJob, line?: number, perSec?: number): string {
  const at = job?.startWall !== undefined && line !== undefined && perSec
    ? job.startWall + (line / perSec) * 1000 / (job.speed ?? 1)
    : Date.now();
  return new Date(Math.min(at, Date.now())).toISOString().slice(11, 23);
}

/** Emit lines due by `t` at `perSec`, so the rate holds whatever the tick rate is. */
function due(job: MockJob, t: number, perSec: number): number {
  const target = Math.floor(t * perSec);
  const n = Math.max(0, target - job.lines);
  job.lines += n;
  return n;
}

function trainWriter(t: number, job: MockJob): void {
  const n = due(job, t, 5);
  let out = job.partial ?? "";
  job.partial = undefined;
  for (let i = 0; i < n; i++) {
    const k = job.lines - n + i + 1;
    const epoch = Math.floor(k / 100) + 1;
    const loss = (2.5 / Math.sqrt(k + 1)).toFixed(4);
    const at = stamp(job, k, 5);
    out += `${at} INFO epoch=${epoch} step=${k} loss=${loss} lr=0.001\n`;
    if (k % 20 === 0) {
      out += `Progress: ${Math.min(100, Math.round((k / 5 / job.runFor) * 100))}% complete\n`;
    }
    if (k % 15 === 0) {
      write(job.err!, `${at} WARNING: GPU memory usage at ${80 + (k % 15)}%\n`);
    }
    if (k % 97 === 0) {
      write(job.err!, `${at} ERROR: NaN detected in gradient at step ${k}; skipping batch\n`);
    }
  }
  // Leave half a line now and then, as a real writer's buffer flush would.
  if (out.length > 40 && job.lines % 7 === 0) {
    const cut = out.length - 20;
    job.partial = out.slice(cut);
    out = out.slice(0, cut);
  }
  if (out) write(job.out!, out);
}

function progressWriter(t: number, job: MockJob): void {
  const pct = Math.min(100, Math.floor((t / job.runFor) * 100));
  const n = due(job, t, 10);
  if (n > 0) {
    const bar = "#".repeat(Math.floor(pct / 5)).padEnd(20, " ");
    write(job.err!, `\rprocessing: ${String(pct).padStart(3)}%|${bar}| ${job.lines}/80`);
    if (job.lines % 10 === 0) write(job.out!, `${stamp()} preprocessed shard ${job.lines / 10}\n`);
  }
  if (t >= job.runFor) write(job.err!, "\n");
}

function simWriter(t: number, job: MockJob): void {
  const n = due(job, t, 2);
  for (let i = 0; i < n; i++) {
    const k = job.lines - n + i + 1;
    write(
      job.out!,
      `${stamp()} timestep ${k * 100}: energy=${(-1000 - k * 0.37).toFixed(2)} T=300.${k % 10}K\n`,
    );
    if (k % 10 === 0) write(job.err!, `${stamp()} WARN: timestep adjusted at ${k * 100}\n`);
  }
}

function sweepWriter(t: number, job: MockJob): void {
  const n = due(job, t, 1);
  for (let i = 0; i < n; i++) {
    const k = job.lines - n + i + 1;
    write(
      job.out!,
      `task ${job.info.arrayTaskId}: param=${
        (job.info.arrayTaskId! * 0.1).toFixed(1)
      } iter=${k} score=${(k * 0.01).toFixed(2)}\n`,
    );
  }
}

function quickWriter(t: number, job: MockJob): void {
  const n = due(job, t, 4);
  for (let i = 0; i < n; i++) write(job.out!, `quick step ${job.lines - n + i + 1}\n`);
  if (n > 0 && job.lines === 4) write(job.err!, "quick: warning: using default settings\n");
}
