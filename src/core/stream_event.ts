/**
 * The event a stream emits, one per line (plus status events for lifecycle changes).
 * @module
 */

/** Which output of a job a stream follows. */
export type StreamType = "stdout" | "stderr";

/** Where the bytes came from. */
export type SourceKind = "file" | "ssh" | "api";

/** One line of job output, as the guide's API reference defines it (plus extras). */
export interface StreamEvent {
  /** Job id; array tasks as "123_4". */
  job_id: string;
  /** "stdout" or "stderr" for lines; "status" for lifecycle events. */
  type: StreamType | "status";
  /** The line without its newline (`\r` progress collapsed to its latest state). */
  content: string;
  /** When the line was read, ISO-8601 with milliseconds. */
  timestamp: string;
  /** 1-based line number within the stream (across truncation and rotation). */
  line_num: number;
  /** "file", "ssh" or "api". */
  source: SourceKind;
  /** api source: the task (rank within the step) that wrote the line; `content` is without its "N: " label. Also the task of a per-task file (`%t`). */
  task?: number;
  /** The node of a per-node file (`%N`, `%n`). */
  node?: string;
  /** The line was cut at the line-length cap and continues in the next event. */
  truncated?: boolean;
  /** Names of the config filters that matched this line. */
  highlights?: string[];
  /** An in-progress `\r` state (only with progress updates on). */
  progress?: boolean;
  /** For status events: the stream's state. */
  state?: StreamState;
  /** For status events: the job's Slurm state, when known. */
  job_state?: string;
  /** For status events: the stream type the status is about. */
  stream?: StreamType;
  /** For status events: lines discarded so far by a hard cap. */
  discarded?: number;
}

/** A stream's own state, shown in the TUI and in status events. */
export type StreamState =
  | "pending"
  | "waiting"
  | "connecting"
  | "live"
  | "paused"
  | "retrying"
  | "idle"
  | "ended"
  | "error";

/** A stable key for one stream: "123:stdout", "123_4:stderr". */
export function streamKey(jobId: string, type: StreamType): string {
  return `${jobId}:${type}`;
}

/** What every event has, as {@link buildStreamEvent} takes it. */
export interface StreamEventBase {
  /** Job id; array tasks as "123_4". */
  jobId: string;
  /** "stdout", "stderr" or "status". */
  type: StreamType | "status";
  /** The line (or the status message). */
  content: string;
  /** When: epoch milliseconds, or the ISO-8601 string of it (made once for many lines). */
  time: number | string;
  /** 1-based line number within the stream. */
  lineNum: number;
  /** Where the bytes came from. */
  source: SourceKind;
}

/** The optional fields of a {@link StreamEvent}; false and undefined are left out. */
export interface StreamEventExtras {
  /** The task that wrote the line (api source), or whose file it is. */
  task?: number;
  /** The node whose file it is. */
  node?: string;
  truncated?: boolean;
  highlights?: string[];
  progress?: boolean;
  state?: StreamState;
  stream?: StreamType;
  job_state?: string;
  discarded?: number;
}

/**
 * The one builder of {@link StreamEvent}s. Keys always come in the same order (the order
 * `--output-format json` prints them in), and optional fields only when they carry something.
 */
export function buildStreamEvent(base: StreamEventBase, extras?: StreamEventExtras): StreamEvent {
  const ev: StreamEvent = {
    job_id: base.jobId,
    type: base.type,
    content: base.content,
    timestamp: typeof base.time === "string" ? base.time : new Date(base.time).toISOString(),
    line_num: base.lineNum,
    source: base.source,
  };
  if (!extras) return ev;
  if (extras.task !== undefined) ev.task = extras.task;
  if (extras.node !== undefined) ev.node = extras.node;
  if (extras.truncated) ev.truncated = true;
  if (extras.highlights?.length) ev.highlights = extras.highlights;
  if (extras.progress) ev.progress = true;
  if (extras.state !== undefined) ev.state = extras.state;
  if (extras.stream !== undefined) ev.stream = extras.stream;
  if (extras.job_state) ev.job_state = extras.job_state;
  if (extras.discarded) ev.discarded = extras.discarded;
  return ev;
}

/** sattach's (and srun's) `--label` prefix: the task id, right-aligned, then ": ". */
const TASK_LABEL = /^ *(\d+): /;

/**
 * A line of the api source split into its task and the line itself ("0: hello" → task 0,
 * "hello"); a line without the label comes back whole, with no task.
 */
export function splitTaskLabel(line: string): { task?: number; content: string } {
  const m = TASK_LABEL.exec(line);
  return m ? { task: Number(m[1]), content: line.slice(m[0].length) } : { content: line };
}
