/**
 * Per-task and per-node output: a `--path` pattern with `%t`, `%n` or `%N` (padding like `%2t`
 * allowed) names one file per task (of the job's running step, else of the job) and per node of
 * its allocation (its NodeList, expanded), as `srun -o out-%j-%t.txt` writes them. Each file is
 * its own stream, labelled `task 3` or `node07`; a file that is not there yet is waited for (it
 * may appear later), and every stream ends when the job ends.
 * @module
 */
import { type ClusterBackend, isSrunStep, type JobInfo } from "../cluster/job.ts";
import { expandHostlist } from "../cluster/hostlist.ts";
import { type Location, resolveOutput } from "../cluster/path_resolver.ts";
import type { PatternFields } from "../cluster/patterns.ts";
import type { StreamingConfig } from "../config/schema.ts";
import { plural } from "../core/plural.ts";
import { streamKey, type StreamState, type StreamType } from "../core/stream_event.ts";
import type { Stream, StreamPart } from "./stream.ts";

/** Where a job writes, as given (`--path`, `--stderr-path`): a job target has these. */
export interface PartPaths {
  path?: string;
  stderrPath?: string;
}

/** The most files one pattern may expand to (a job of 10 000 tasks is followed another way). */
export const MAX_PARTS = 256;

/** Which allocation fields a pattern holds (a backslash turns expansion off, as in Slurm). */
export function allocationFields(pattern: string | undefined): { tasks: boolean; nodes: boolean } {
  if (!pattern || pattern.includes("\\")) return { tasks: false, nodes: false };
  const plain = pattern.replaceAll("%%", "");
  return { tasks: /%\d*t/.test(plain), nodes: /%\d*[nN]/.test(plain) };
}

/** Whether a pattern names more than one file per job (per task or per node). */
export function hasAllocationFields(pattern: string | undefined): boolean {
  const f = allocationFields(pattern);
  return f.tasks || f.nodes;
}

/** One file of a per-task or per-node pattern: the stream's part and the pattern's fields. */
export interface AllocationPart {
  part: StreamPart;
  fields: Partial<PatternFields>;
  /** The node that has the file (per-node patterns). */
  host?: string;
}

/**
 * The files `pattern` names for `job`: one per task (`%t`, from the task count) and per node
 * (`%n`, `%N`, from the NodeList), every combination when both appear. Undefined when the pattern
 * holds neither, or when the job has no nodes yet.
 */
export function allocationParts(
  pattern: string | undefined,
  job: JobInfo,
): AllocationPart[] | undefined {
  const f = allocationFields(pattern);
  if (!f.tasks && !f.nodes) return undefined;
  const nodes = f.nodes ? expandHostlist(job.nodeList) : [undefined];
  if (nodes.length === 0) return undefined;
  const tasks = f.tasks
    ? Array.from({ length: Math.max(1, job.numTasks ?? 1) }, (_, i) => i)
    : [undefined];
  const parts: AllocationPart[] = [];
  for (const [nodeIndex, node] of nodes.entries()) {
    for (const task of tasks) {
      if (parts.length >= MAX_PARTS) return parts;
      const label = [node, task !== undefined ? `task ${task}` : undefined].filter((x) => x)
        .join(" ");
      const part: StreamPart = { label };
      const fields: Partial<PatternFields> = {};
      if (node !== undefined) {
        part.node = node;
        fields.node = node;
        fields.nodeIndex = nodeIndex;
      }
      if (task !== undefined) {
        part.task = task;
        fields.task = task;
      }
      parts.push({ part, fields, host: node });
    }
  }
  return parts;
}

/** The pattern of one stream type: stderr has its own only with `--stderr-path`. */
export function partPattern(options: PartPaths, type: StreamType): string | undefined {
  return type === "stderr" ? options.stderrPath ?? options.path : options.path;
}

/** Where one part's file is. */
export async function partLocation(
  job: JobInfo,
  type: StreamType,
  p: AllocationPart,
  o: { config: StreamingConfig; options: PartPaths },
): Promise<Location | undefined> {
  const res = await resolveOutput(job.id, job, type, o.config, {
    pathOverride: o.options.path,
    stderrPathOverride: o.options.stderrPath,
    fields: p.fields,
    host: p.host,
  });
  return res.location;
}

/** What {@link runParts} needs from the job tracker and the engine. */
export interface PartsHost {
  config: StreamingConfig;
  /** The part's stream: the one from an earlier run, or a new one. */
  stream(jobId: string, type: StreamType, part: StreamPart): Stream;
  runSource(s: Stream, loc: Location, follow: boolean): Promise<void>;
  endStream(s: Stream, state: "ended" | "error", message?: string, quiet?: boolean): void;
  /** The tasks of the job's running step ({@link stepTaskCount}); none without a cluster. */
  stepTasks?(): Promise<number | undefined>;
  /** Wait one poll interval (sooner when stopped). */
  pause?(): Promise<void>;
  /** Whether the job still runs (and s9s follows it). */
  running?(): boolean;
  /** Forget a stream, so that its part gets a new one. */
  forget?(s: Stream): void;
  /** Whether s9s stops following (the user stopped it). */
  stopped?(): boolean;
}

/**
 * How many tasks the job's running srun steps have (the most of any, `squeue -s`): `srun -o
 * out-%t` writes one file per task of its step, which may run fewer than the job's `-n`.
 * Undefined while no step runs, or when the cluster cannot tell.
 */
export async function stepTaskCount(
  cluster: ClusterBackend,
  jobId: string,
): Promise<number | undefined> {
  const counts = (await cluster.listSteps(jobId).catch(() => []))
    .filter((st) => isSrunStep(st) && st.numTasks !== undefined)
    .map((st) => st.numTasks!);
  return counts.length ? Math.max(...counts) : undefined;
}

/** The job with its running step's task count (`tasks`) as its own, when there is one. */
function withStepTasks(job: JobInfo, tasks: number | undefined): JobInfo {
  return tasks === undefined ? job : { ...job, numTasks: tasks };
}

/**
 * Follow one run of a job whose `--path` names per-task or per-node files: every file is its
 * own stream; `parents` (one per type, they carry the job's status) end quietly once their parts
 * have ended. stderr without a `--stderr-path` goes to the same files as stdout. `%t` counts the
 * tasks of the job's running step when there is one, else the job's ({@link followSteps}).
 */
export async function runParts(
  host: PartsHost,
  job: JobInfo,
  parents: Stream[],
  o: { target: PartPaths; follow: boolean },
): Promise<void> {
  const paths = o.target;
  const live = parents.filter((parent) => {
    if (parent.type !== "stderr" || paths.stderrPath || parents.length === 1) return true;
    host.endStream(parent, "ended", "stderr goes to the same files as stdout; shown there");
    return false;
  });
  const perTask = live.some((p) => allocationFields(partPattern(paths, p.type)).tasks);
  const stepTasks = perTask ? await host.stepTasks?.() : undefined;
  const parts = new Parts(host, job, o);
  for (const parent of live) parts.start(parent.type, stepTasks);
  if (perTask && o.follow) await followSteps(host, parts, live, stepTasks);
  await parts.done();
  for (const parent of live) host.endStream(parent, "ended", undefined, true);
}

/** States of a stream whose file has not been found (yet). */
const AWAITING = new Set<StreamState>(["pending", "waiting", "connecting"]);

/** The part streams of one run and their reads. */
class Parts {
  readonly runs = new Map<Stream, Promise<void>>();
  /** Streams ended because the running step has no such task (a later step may). */
  readonly dropped = new Set<Stream>();

  readonly job: JobInfo;
  #host: PartsHost;
  #o: { target: PartPaths; follow: boolean };

  constructor(host: PartsHost, job: JobInfo, o: { target: PartPaths; follow: boolean }) {
    this.#host = host;
    this.job = job;
    this.#o = o;
  }

  /** Start reading the files of `type` for `tasks` tasks (the job's when undefined). */
  start(type: StreamType, tasks: number | undefined): void {
    const counted = withStepTasks(this.job, tasks);
    for (const p of allocationParts(partPattern(this.#o.target, type), counted) ?? []) {
      this.#run(type, p);
    }
  }

  /** The streams of tasks that still wait for their file. */
  awaited(): Stream[] {
    return [...this.runs.keys()].filter((s) =>
      !s.ended && s.lines === 0 && s.part?.task !== undefined && AWAITING.has(s.state)
    );
  }

  /** End a stream whose task the running step (of `tasks` tasks) does not run. */
  drop(s: Stream, tasks: number): void {
    this.dropped.add(s);
    this.#host.endStream(
      s,
      "ended",
      `stream ${s.key} ended: the job's step runs ${plural(tasks, "task")}, no task ${
        s.part!.task
      } (its file is read if a later step writes it)`,
    );
  }

  /**
   * The job has stopped: read the files of the job's tasks that are not followed (a step ran
   * fewer, a later one more, unseen) when they are there after all.
   */
  async readLeftOver(types: StreamType[]): Promise<void> {
    const followed = new Set(
      [...this.runs.keys()].filter((s) => !this.dropped.has(s)).map((s) => s.key),
    );
    for (const type of types) {
      for (const p of allocationParts(partPattern(this.#o.target, type), this.job) ?? []) {
        if (followed.has(streamKey(`${this.job.id} ${p.part.label}`, type))) continue;
        const loc = await partLocation(this.job, type, p, {
          config: this.#host.config,
          options: this.#o.target,
        });
        if (loc?.exists) this.#run(type, p);
      }
    }
  }

  /** Resolves when every part's read has ended (parts started meanwhile included). */
  async done(): Promise<void> {
    let n = -1;
    while (n !== this.runs.size) {
      n = this.runs.size;
      await Promise.all(this.runs.values());
    }
  }

  #run(type: StreamType, p: AllocationPart): void {
    let s = this.#host.stream(this.job.id, type, p.part);
    if (this.dropped.delete(s)) {
      this.#host.forget?.(s);
      s = this.#host.stream(this.job.id, type, p.part);
    }
    if (s.ended || this.runs.has(s)) return;
    this.runs.set(s, this.#read(s, p));
  }

  async #read(s: Stream, p: AllocationPart): Promise<void> {
    const loc = await partLocation(this.job, s.type, p, {
      config: this.#host.config,
      options: this.#o.target,
    });
    if (!loc) return this.#host.endStream(s, "error", `no file for ${s.key}`);
    await this.#host.runSource(s, loc, this.#o.follow);
    this.#host.endStream(s, "ended", `stream ${s.key} ended after ${plural(s.lines, "line")}`);
  }
}

/**
 * While the job runs, the job's steps count its task files (`squeue -s`, once per poll, only as
 * long as that can change anything): with no step yet, while a task's file is awaited; with a
 * step of fewer tasks than the job's, as long as the job runs (a later step may run more). When
 * a step runs, the streams of tasks past its count that still wait for their file end, and tasks
 * it runs beyond those followed get streams (again). Once the job has stopped, the files of the
 * job's tasks not followed that are there after all are read.
 */
async function followSteps(
  host: PartsHost,
  parts: Parts,
  parents: Stream[],
  stepTasks: number | undefined,
): Promise<void> {
  if (!host.stepTasks || !host.pause || !host.running) return;
  const jobTasks = Math.max(1, parts.job.numTasks ?? 1);
  let seen = stepTasks;
  while (host.running()) {
    if (seen === undefined ? parts.awaited().length === 0 : seen >= jobTasks) break;
    await host.pause();
    if (!host.running()) break;
    const tasks = await host.stepTasks();
    if (tasks === undefined) continue;
    seen = tasks;
    for (const parent of parents) parts.start(parent.type, tasks);
    for (const s of parts.awaited()) if (s.part!.task! >= tasks) parts.drop(s, tasks);
  }
  if (!host.stopped?.()) await parts.readLeftOver(parents.map((p) => p.type));
}

/**
 * `--explain` for a per-task or per-node pattern: every file it names for `job`, one line each
 * (whether this host sees it, and the node that has it); undefined for any other pattern.
 */
export async function explainParts(
  job: JobInfo,
  type: StreamType,
  o: { config: StreamingConfig; options: PartPaths; cluster?: ClusterBackend },
): Promise<string[] | undefined> {
  const pattern = partPattern(o.options, type);
  if (!hasAllocationFields(pattern)) return undefined;
  if (type === "stderr" && !o.options.stderrPath) {
    return ["    => the same files as stdout (no --stderr-path)"];
  }
  const stepTasks = o.cluster && allocationFields(pattern).tasks
    ? await stepTaskCount(o.cluster, job.id)
    : undefined;
  const counted = withStepTasks(job, stepTasks);
  const parts = allocationParts(pattern, counted);
  if (!parts) {
    return [`    ${pattern}: the job has no nodes yet; its files are known once it runs`];
  }
  const tasks = `${counted.numTasks ?? 1} task(s)${
    stepTasks === undefined ? "" : ` of its running step (the job has ${job.numTasks ?? 1})`
  }`;
  const lines = [
    `    ${pattern}: ${parts.length} file(s), for ${tasks} on ${job.nodeList ?? "?"}`,
  ];
  for (const p of parts) {
    const loc = await partLocation(counted, type, p, o);
    if (!loc) continue;
    const note = loc.exists
      ? ""
      : p.host
      ? ` — on ${p.host}, not visible here: read there over SSH`
      : " — not there yet; will wait for it";
    lines.push(`    ${p.part.label}: ${loc.exists ? "found  " : "missing"} ${loc.path}${note}`);
  }
  return lines;
}
