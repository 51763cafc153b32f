/**
 * Slurm's JSON job records — slurmrestd `/job/{id}` and `/jobs`, and `squeue --json`, which uses
 * the same dumper — mapped to {@link JobInfo}. Handles both the v0.0.36–v0.0.38 shape (plain
 * numbers, `job_state: "RUNNING"`, `exit_code` a raw wait status) and the v0.0.39+ shape
 * (`{set, infinite, number}` numbers, `job_state: ["RUNNING"]`, `exit_code: {status,
 * return_code, signal}`, and from v0.0.42 `stdout_expanded`/`stderr_expanded`).
 * @module
 */
import type { JobInfo } from "./job.ts";
import { buildJobInfo } from "./job_info.ts";

/** Slurm's NO_VAL and INFINITE markers (32 bit), which old versions emit as plain numbers. */
const NO_VAL = 0xfffffffe;
const INFINITE = 0xffffffff;

/** Slurm's error number for "Invalid job id specified". */
export const ESLURM_INVALID_JOB_ID = 2017;

/** One entry of a response's `errors` array. */
export interface SlurmApiError {
  number?: number;
  error: string;
  description: string;
  source: string;
}

type Rec = Record<string, unknown>;

function isRec(v: unknown): v is Rec {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A number in either shape: `5`, `"5"`, `{set: true, infinite: false, number: 5}`. */
export function slurmNumber(v: unknown): number | undefined {
  if (isRec(v)) {
    if (v.set === false || v.infinite === true) return undefined;
    return slurmNumber(v.number);
  }
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isFinite(n)) return undefined;
  if (n === NO_VAL || n === INFINITE) return undefined;
  return n;
}

function str(v: unknown): string | undefined {
  if (typeof v !== "string") return undefined;
  return v === "" ? undefined : v;
}

/** Unix seconds → epoch ms; 0 and unset mean "no time". */
function time(v: unknown): number | undefined {
  const n = slurmNumber(v);
  return n !== undefined && n > 0 ? n * 1000 : undefined;
}

/** The base state from `"RUNNING"` or `["RUNNING", "COMPLETING"]` (flags dropped). */
export function slurmState(v: unknown): string {
  if (Array.isArray(v)) {
    const names = v.filter((s): s is string => typeof s === "string");
    return (names[0] ?? "UNKNOWN").toUpperCase();
  }
  return typeof v === "string" && v ? v.toUpperCase() : "UNKNOWN";
}

/** A job's exit: a raw wait status (≤ v0.0.38) or `{status, return_code, signal}`. */
export function slurmExit(v: unknown): { exitCode?: number; exitSignal?: number } {
  if (isRec(v)) {
    const code = slurmNumber(v.return_code);
    const sig = isRec(v.signal)
      ? slurmNumber(v.signal.id ?? v.signal.signal_id)
      : slurmNumber(v.signal);
    return { exitCode: code, exitSignal: sig !== undefined && sig > 0 ? sig : undefined };
  }
  const status = slurmNumber(v);
  if (status === undefined) return {};
  const sig = status & 0x7f;
  return { exitCode: (status >> 8) & 0xff, exitSignal: sig > 0 ? sig : undefined };
}

/** Map one JSON job record to a {@link JobInfo}. */
export function jobFromSlurmJson(raw: Rec, backend: string): JobInfo {
  const reason = str(raw.state_reason);
  return buildJobInfo({
    jobId: slurmNumber(raw.job_id) ?? 0,
    arrayJobId: positive(slurmNumber(raw.array_job_id)),
    arrayTaskId: slurmNumber(raw.array_task_id),
    arrayTaskString: str(raw.array_task_string),
    name: typeof raw.name === "string" ? raw.name : "",
    user: str(raw.user_name) ?? String(slurmNumber(raw.user_id) ?? ""),
    state: slurmState(raw.job_state),
    reason: reason !== "None" ? reason : undefined,
    ...slurmExit(raw.exit_code),
    workDir: str(raw.current_working_directory),
    // v0.0.42+ also gives the paths as slurmstepd expands them; those are the real file names.
    stdout: str(raw.stdout_expanded) ?? str(raw.standard_output),
    stderr: str(raw.stderr_expanded) ?? str(raw.standard_error),
    batchHost: str(raw.batch_host),
    nodeList: str(raw.nodes),
    numTasks: positive(slurmNumber(raw.tasks)),
    partition: str(raw.partition),
    submitTime: time(raw.submit_time),
    startTime: time(raw.start_time),
    endTime: time(raw.end_time),
    restarts: slurmNumber(raw.restart_cnt),
  }, backend);
}

function positive(n: number | undefined): number | undefined {
  return n !== undefined && n > 0 ? n : undefined;
}

/** The `errors` of a response, in either version's spelling. */
export function slurmErrors(doc: unknown): SlurmApiError[] {
  if (!isRec(doc) || !Array.isArray(doc.errors)) return [];
  return doc.errors.filter(isRec).map((e) => ({
    number: slurmNumber(e.error_number ?? e.errno ?? e.error_code),
    error: typeof e.error === "string" ? e.error : "",
    description: typeof e.description === "string" ? e.description : "",
    source: typeof e.source === "string" ? e.source : "",
  }));
}

/** Whether an error says the job id is unknown. */
export function isInvalidJobId(e: SlurmApiError): boolean {
  return e.number === ESLURM_INVALID_JOB_ID || /invalid job id/i.test(e.error);
}

/** The jobs of a `/jobs`, `/job/{id}` or `squeue --json` document. */
export function jobsFromSlurmJson(doc: unknown, backend: string): JobInfo[] {
  if (!isRec(doc) || !Array.isArray(doc.jobs)) return [];
  return doc.jobs.filter(isRec).map((j) => jobFromSlurmJson(j, backend));
}

/**
 * Whether a job record answers a query id: the id itself ("123_4"), the job id Slurm gave a task
 * ("125"), or an array's master id ("123" for all its tasks).
 */
export function jobMatches(job: JobInfo, query: string): boolean {
  if (job.id === query || String(job.jobId) === query) return true;
  return job.arrayJobId !== undefined && String(job.arrayJobId) === query;
}

/** Whether task `task` lies in an array range such as "1-5%2", "1,3,7-11:2". */
export function taskInRange(range: string, task: number): boolean {
  for (const part of range.replace(/%\d+$/, "").split(",")) {
    const m = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(part.trim());
    if (!m) continue;
    const lo = Number(m[1]);
    const hi = m[2] !== undefined ? Number(m[2]) : lo;
    const step = m[3] !== undefined ? Number(m[3]) : 1;
    if (task >= lo && task <= hi && (task - lo) % step === 0) return true;
  }
  return false;
}

/**
 * The records that answer `query` among `jobs`. A task still waiting in an array's pending
 * record ("123_[4-9]") is answered with that record narrowed to the task, as `scontrol show job
 * 123_5` does.
 */
export function selectJobs(jobs: JobInfo[], query: string): JobInfo[] {
  const direct = jobs.filter((j) => jobMatches(j, query));
  if (direct.length) return sortTasks(direct);
  const m = /^(\d+)_(\d+)$/.exec(query.trim());
  if (!m) return [];
  const arrayJobId = Number(m[1]);
  const task = Number(m[2]);
  const rest = jobs.find((j) =>
    j.arrayJobId === arrayJobId && j.arrayTaskString !== undefined &&
    taskInRange(j.arrayTaskString, task)
  );
  if (!rest) return [];
  const one: JobInfo = { ...rest, id: `${arrayJobId}_${task}`, arrayTaskId: task };
  delete one.arrayTaskString;
  return [one];
}

/** Array tasks in task order, the pending rest of the array last; other jobs by id. */
export function sortTasks(jobs: JobInfo[]): JobInfo[] {
  const key = (
    j: JobInfo,
  ) => [j.arrayJobId ?? j.jobId, j.arrayTaskId ?? (j.arrayTaskString ? Infinity : -1)];
  return [...jobs].sort((a, b) => {
    const [a1, a2] = key(a);
    const [b1, b2] = key(b);
    return a1 - b1 || a2 - b2;
  });
}
