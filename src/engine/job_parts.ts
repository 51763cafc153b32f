/**
 * Per-task and per-node output: a `--path` pattern with `%t`, `%n` or `%N` (padding like `%2t`
 * allowed) names one file per task of the job (its task count) and per node of its allocation
 * (its NodeList, expanded), as `srun -o out-%j-%t.txt` writes them. Each file is its own stream,
 * labelled `task 3` or `node07`; a file that is not there yet is waited for (it may appear
 * later), and every stream ends when the job ends.
 * @module
 */
import type { JobInfo } from "../cluster/job.ts";
import { expandHostlist } from "../cluster/hostlist.ts";
import { type Location, resolveOutput } from "../cluster/path_resolver.ts";
import type { PatternFields } from "../cluster/patterns.ts";
import type { StreamingConfig } from "../config/schema.ts";
import { plural } from "../core/plural.ts";
import type { StreamType } from "../core/stream_event.ts";
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
}

/**
 * Follow one run of a job whose `--path` names per-task or per-node files: every file is its
 * own stream; `parents` (one per type, they carry the job's status) end quietly once their parts
 * have ended. stderr without a `--stderr-path` goes to the same files as stdout.
 */
export async function runParts(
  host: PartsHost,
  job: JobInfo,
  parents: Stream[],
  o: { target: PartPaths; follow: boolean },
): Promise<void> {
  const paths = o.target;
  const runs: Promise<void>[] = [];
  for (const parent of parents) {
    if (parent.type === "stderr" && !paths.stderrPath && parents.length > 1) {
      host.endStream(parent, "ended", "stderr goes to the same files as stdout; shown there");
      continue;
    }
    const parts = allocationParts(partPattern(paths, parent.type), job) ?? [];
    runs.push(
      Promise.all(parts.map(async (p) => {
        const s = host.stream(job.id, parent.type, p.part);
        if (s.ended) return;
        const loc = await partLocation(job, parent.type, p, {
          config: host.config,
          options: paths,
        });
        if (!loc) return host.endStream(s, "error", `no file for ${s.key}`);
        await host.runSource(s, loc, o.follow);
        host.endStream(s, "ended", `stream ${s.key} ended after ${plural(s.lines, "line")}`);
      })).then(() => host.endStream(parent, "ended", undefined, true)),
    );
  }
  await Promise.all(runs);
}

/**
 * `--explain` for a per-task or per-node pattern: every file it names for `job`, one line each
 * (whether this host sees it, and the node that has it); undefined for any other pattern.
 */
export async function explainParts(
  job: JobInfo,
  type: StreamType,
  o: { config: StreamingConfig; options: PartPaths },
): Promise<string[] | undefined> {
  const pattern = partPattern(o.options, type);
  if (!hasAllocationFields(pattern)) return undefined;
  if (type === "stderr" && !o.options.stderrPath) {
    return ["    => the same files as stdout (no --stderr-path)"];
  }
  const parts = allocationParts(pattern, job);
  if (!parts) {
    return [`    ${pattern}: the job has no nodes yet; its files are known once it runs`];
  }
  const tasks = job.numTasks ?? 1;
  const lines = [
    `    ${pattern}: ${parts.length} file(s), for ${tasks} task(s) on ${job.nodeList ?? "?"}`,
  ];
  for (const p of parts) {
    const loc = await partLocation(job, type, p, o);
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
