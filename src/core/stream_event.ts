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
