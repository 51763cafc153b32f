/**
 * What the engine follows, described once by whichever face asks (the CLI's flags, the TUI's
 * keys, a submission): a plain file, a job's stdout/stderr, or a job step's I/O — on this host or
 * on a node. The engine turns each into a source in one place (`engine/source_selection.ts`);
 * nothing else decides how a target is read. A parallel job's tasks and nodes are a job target
 * whose path has `%t`/`%n`/`%N` (the job tracker expands it over the allocation) or a step split
 * by task at the output (`--tasks`).
 * @module
 */

/** The values of `--source`: how a job's output is read. */
export const SOURCE_MODES = ["auto", "file", "ssh", "api"] as const;
/** How a stream is read. */
export type SourceMode = typeof SOURCE_MODES[number];

/** A plain file: no cluster lookup, no job lifecycle; read here, or on `node` over SSH. */
export interface FileTarget {
  kind: "file";
  /** The label its lines carry (the `job_id` of its events): the file's name, or its path. */
  label: string;
  path: string;
  /** A second file read as its stderr. */
  stderrPath?: string;
  /** Read the file on this node (a host name or `~/.ssh/config` Host alias) over SSH. */
  node?: string;
}

/** A job's (or an array's, or one array task's) output files, found through the cluster. */
export interface JobTarget {
  kind: "job";
  /** "123", or "123_4" for one array task ("123" follows every task). */
  jobId: string;
  /** Where the job writes instead of what Slurm says (Slurm patterns allowed). */
  path?: string;
  stderrPath?: string;
  /** auto: here, or over SSH on the job's node when only it has the file; file: here only;
   * ssh: always on the job's node. */
  via: "auto" | "file" | "ssh";
}

/** A running job step's I/O as Slurm forwards it (sattach): no files, ends with the step. */
export interface StepTarget {
  kind: "step";
  /** The job ("123", or "123_4" for an array task). */
  jobId: string;
  /** The step: "0", "1", …, or "batch", "extern", "interactive" (which cannot be attached). */
  step: string;
}

/** What to follow. */
export type StreamTarget = FileTarget | JobTarget | StepTarget;

/** A step id `JOB.STEP` (JOB may be an array task `123_4`): the one parser of step ids. */
const STEP_ID = /^(\d+(?:_\d+)?)\.(\d+|batch|extern|interactive)$/;

/** A step id split into its job and step ("123_4.1" → 123_4, 1), or undefined for anything else. */
export function parseStepId(id: string): { jobId: string; step: string } | undefined {
  const m = STEP_ID.exec(id);
  return m ? { jobId: m[1], step: m[2] } : undefined;
}

/** The target an id typed by the user names: a step (`123.0`) or a job (`123`, `123_4`). */
export function targetOfId(id: string, via: JobTarget["via"] = "auto"): JobTarget | StepTarget {
  const step = parseStepId(id);
  return step ? { kind: "step", ...step } : { kind: "job", jobId: id, via };
}

/** The id a target's streams carry (the `job_id` of their events, the `[id:type]` prefix). */
export function targetId(t: StreamTarget): string {
  switch (t.kind) {
    case "file":
      return t.label;
    case "job":
      return t.jobId;
    case "step":
      return `${t.jobId}.${t.step}`;
  }
}
