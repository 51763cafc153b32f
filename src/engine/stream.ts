/**
 * One stream: one output (stdout or stderr) of one job or task, as the engine holds it, and the
 * public, read-only view of it that listeners and the library see.
 * @module
 */
import type { JobInfo } from "../cluster/job.ts";
import type { Location } from "../cluster/path_resolver.ts";
import type { LineBatch } from "../core/line_batch.ts";
import type { SourceKind, StreamEvent, StreamState, StreamType } from "../core/stream_event.ts";
import type { Source } from "../sources/source.ts";
import type { StreamTarget } from "../core/stream_target.ts";
import type { Selection } from "./filter.ts";
import type { StreamBuffer } from "./stream_buffer.ts";

/** Which task or node of a job a stream is for: one file of a `%t`/`%n`/`%N` pattern. */
export interface StreamPart {
  /** How it is named: "task 3", "node07", "node07 task 3". */
  label: string;
  task?: number;
  node?: string;
}

/** Public view of one stream. */
export interface StreamHandle {
  readonly key: string;
  readonly jobId: string;
  readonly type: StreamType;
  /** One task's or node's own stream of the job (per-task files, or labelled lines split). */
  readonly part?: StreamPart;
  readonly state: StreamState;
  readonly jobState?: string;
  readonly job?: JobInfo;
  readonly location?: Location;
  readonly sourceKind: SourceKind;
  /** Lines read so far. */
  readonly lines: number;
  /** Lines forced out of the buffer by its caps. */
  readonly discarded: number;
  /** Scroll-back (when the manager keeps buffers). */
  readonly buffer?: StreamBuffer;
  /** Epoch ms of the last line. */
  readonly lastLineAt?: number;
  /** The last status message. */
  readonly message?: string;
  /** Whether the current source keeps following (false: `--no-follow`, an ended job). */
  readonly follows: boolean;
  /** Whether a source has been chosen and reads for it (a file found, a step attached). */
  readonly reading: boolean;
}

/** Receives what streams produce. Returned promises are awaited (backpressure). */
export interface StreamListener {
  /**
   * Takes a batch's lines only through the selection (never `batch.text`, nor the batch's lines
   * by position): when every listener does, a source may decode only the lines an include
   * filter can pick (LineBatch.preselected), and this listener gets such batches.
   */
  selectedOnly?: boolean;
  onLines?(stream: StreamHandle, batch: LineBatch, selection: Selection): void | Promise<void>;
  onProgress?(stream: StreamHandle, text: string, lineNum: number): void;
  onStatus?(stream: StreamHandle, event: StreamEvent): void;
  onEnd?(stream: StreamHandle): void;
  /** A new stream appeared (e.g. a new array task). */
  onStart?(stream: StreamHandle): void;
}

/** How a target is followed (`StreamManager.startStream`). */
export interface FollowOptions {
  /** Keep following (default true). */
  follow?: boolean;
  /** Start with the last N lines (the first run only). */
  tail?: number;
  /** Labelled lines (`N: …`) go to one stream per task (task_streams.ts). */
  splitTasks?: boolean;
}

/** What one stream reads: its target and, for a file, where the bytes are. */
export interface SourceRequest {
  target: StreamTarget;
  /** The resolved file (none for a step: Slurm forwards its I/O). */
  loc?: Location;
  follow: boolean;
  tail?: number;
}

/** The engine's mutable record of one stream. */
export class Stream implements StreamHandle {
  state: StreamState = "pending";
  jobState?: string;
  job?: JobInfo;
  location?: Location;
  sourceKind: SourceKind = "file";
  lines = 0;
  lastLineAt?: number;
  message?: string;
  buffer?: StreamBuffer;
  source?: Source;
  abort = new AbortController();
  ended = false;
  idleWarned = false;
  liveSince?: number;
  follows = true;
  reading = false;
  /** Its source has handed on lines picked out for the include filter (said once in the log). */
  preselected = false;
  /** line_num of the last line emitted (a rerun's lines continue from it). */
  lastLineNum = 0;
  /** Stands for an array record not yet split into tasks. */
  placeholder = false;
  /** The job's restart count when a requeue was last seen. */
  requeuedTo = 0;
  /** When its source last began reading its file again from the start (a rewrite; Date.now()). */
  rewrittenAt?: number;
  /** When the cluster's latest record of the job was noted on it, and the one before (Date.now()). */
  notedAt?: number;
  notedBefore?: number;
  /** The restart count of the run the current source reads. */
  runRestarts = 0;
  /** Labelled lines go to task streams (follow option `splitTasks`). */
  splitTasks = false;

  constructor(
    readonly key: string,
    readonly jobId: string,
    readonly type: StreamType,
    readonly part?: StreamPart,
  ) {}

  get discarded(): number {
    return this.buffer?.discarded ?? 0;
  }
}
