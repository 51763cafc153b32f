/**
 * What s9s knows about a job, whichever backend told it, and the backend interface.
 * @module
 */
import { firstHost } from "./hostlist.ts";

/** A job (or one task of an array job) as the cluster reports it. */
export interface JobInfo {
  /** "123", or "123_4" for an array task. */
  id: string;
  /** The numeric job id Slurm gave this job or task. */
  jobId: number;
  /** For array tasks: the array's master id (%A). */
  arrayJobId?: number;
  /** For array tasks: the task index (%a). */
  arrayTaskId?: number;
  /** For a pending array not yet split: the task range, e.g. "1-5%2". */
  arrayTaskString?: string;
  name: string;
  user: string;
  /** Slurm state: PENDING, RUNNING, COMPLETED, FAILED, … */
  state: string;
  /** Why the job is pending, or other state reason. */
  reason?: string;
  /** The job's own exit code (the script's), when finished. */
  exitCode?: number;
  /** The signal that ended it, if any. */
  exitSignal?: number;
  /** Working directory (relative output paths are relative to it). */
  workDir?: string;
  /** StdOut as the backend reports it (a path, maybe still a %-pattern). */
  stdout?: string;
  /** StdErr as reported; undefined or "" when it goes to the stdout file. */
  stderr?: string;
  /** The node that runs the batch script. */
  batchHost?: string;
  /** Node list expression, e.g. "node[01-04]" (expand it with hostlist.ts). */
  nodeList?: string;
  /** How many tasks the job runs (`NumTasks`, `-n`); `%t` counts them while no step runs. */
  numTasks?: number;
  partition?: string;
  /** Epoch ms. */
  submitTime?: number;
  startTime?: number;
  endTime?: number;
  /** How often the job was requeued. */
  restarts?: number;
  /** Which backend produced this. */
  backend?: string;
}

/** A running job step (started with srun), as `squeue -s` lists it. */
export interface StepInfo {
  /** "123.0", "123_4.1" (array task), "123.batch". */
  id: string;
  /** The job's id ("123", "123_4"). */
  jobId: string;
  /** The step's own id: "0", "1", …, "batch", "extern", "interactive". */
  stepId: string;
  /** The step's name (the command srun started). */
  name: string;
  user: string;
  /** Node list expression. */
  nodeList?: string;
  /** How many tasks the step runs (srun's `-n`; `%A` of `squeue -s`). */
  numTasks?: number;
}

/** Whether sattach can attach to the step: one started with srun (a number), not batch or extern. */
export function isSrunStep(step: StepInfo): boolean {
  return /^\d+$/.test(step.stepId);
}

/** Filters for listing jobs. */
export interface ListOptions {
  user?: string;
  states?: string[];
}

/** A way to ask the cluster about jobs. */
export interface ClusterBackend {
  /** "cli", "rest" or "mock". */
  readonly name: string;
  /** Jobs the cluster knows (running, pending and recently finished). */
  listJobs(options?: ListOptions): Promise<JobInfo[]>;
  /**
   * One job; for an array job id, all its tasks. Empty only when the cluster says it is unknown;
   * when that cannot be told (slurmctld forgot it and accounting fails) it throws
   * `AccountingUnavailableError`.
   */
  getJob(id: string): Promise<JobInfo[]>;
  /**
   * Running steps of job `jobId` (of every job when omitted); [] when there are none or when
   * the backend cannot tell (slurmrestd lists no steps of running jobs).
   */
  listSteps(jobId?: string): Promise<StepInfo[]>;
  /** Release connections, timers. */
  close(): void;
}

const TERMINAL = new Set([
  "COMPLETED",
  "FAILED",
  "CANCELLED",
  "TIMEOUT",
  "OUT_OF_MEMORY",
  "NODE_FAIL",
  "PREEMPTED",
  "BOOT_FAIL",
  "DEADLINE",
  "REVOKED",
  "SPECIAL_EXIT",
]);

/** Every base job state Slurm reports (squeue's long names), for checking a user's filter. */
export const JOB_STATES: readonly string[] = [
  "BOOT_FAIL",
  "CANCELLED",
  "COMPLETED",
  "COMPLETING",
  "CONFIGURING",
  "DEADLINE",
  "FAILED",
  "NODE_FAIL",
  "OUT_OF_MEMORY",
  "PENDING",
  "PREEMPTED",
  "REQUEUED",
  "REQUEUE_FED",
  "REQUEUE_HOLD",
  "RESIZING",
  "RESV_DEL_HOLD",
  "REVOKED",
  "RUNNING",
  "SIGNALING",
  "SPECIAL_EXIT",
  "STAGE_OUT",
  "STOPPED",
  "SUSPENDED",
  "TIMEOUT",
];

/** The base state without flags ("CANCELLED by 0" → "CANCELLED"). */
export function baseState(state: string): string {
  return state.split(/[ +,]/)[0].toUpperCase();
}

/** Whether a job in this state will write no more output. */
export function isTerminal(state: string): boolean {
  return TERMINAL.has(baseState(state));
}

/** Whether the job is waiting to run (PENDING, REQUEUED, CONFIGURING counts as starting). */
export function isPending(state: string): boolean {
  const s = baseState(state);
  return s === "PENDING" || s === "REQUEUED" || s === "REQUEUE_HOLD" || s === "REQUEUE_FED" ||
    s === "SUSPENDED" || s === "RESV_DEL_HOLD";
}

/** First node of a Slurm node list expression: "node[01-04,07]" → "node01" (see hostlist.ts). */
export function firstNode(nodeList: string | undefined): string | undefined {
  return firstHost(nodeList);
}

/** The largest job id (or array task id) Slurm hands out: a 32-bit number below NO_VAL. */
export const MAX_JOB_ID = 4294967294;

/** Whether every number in a job id fits Slurm's ids (a longer one would lose digits). */
export function jobIdInRange(id: string): boolean {
  return (id.match(/\d+/g) ?? []).every((n) =>
    n.replace(/^0+/, "").length <= 10 &&
    Number(n) <= MAX_JOB_ID
  );
}

/** Parse a job id argument: "123", "123_4", "123_[1-3]" → parts; undefined when not one. */
export function parseJobId(id: string): { jobId: number; taskId?: number } | undefined {
  const m = /^(\d+)(?:_(\d+))?$/.exec(id.trim());
  if (!m || !jobIdInRange(m[0])) return undefined;
  return { jobId: Number(m[1]), taskId: m[2] !== undefined ? Number(m[2]) : undefined };
}
