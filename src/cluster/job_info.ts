/**
 * The one builder of {@link JobInfo}: every backend's parser reads its own format into
 * {@link JobFields} and lets {@link buildJobInfo} apply the rules they share — the s9s id of an
 * array task, which fields a job in a given state may carry, and no `undefined` properties.
 * @module
 */
import { isPending, isTerminal, type JobInfo } from "./job.ts";

/**
 * What a parser read about one job, in JobInfo's units; unknown values left undefined. The
 * builder derives `id` and applies the state rules: `arrayJobId` counts only with a task id or
 * task range, `arrayTaskString` only without a task id, `exitCode`/`exitSignal` only once the
 * job finished, `startTime` is dropped while pending (a forecast) and `endTime` while live (the
 * time limit).
 */
export type JobFields = Omit<JobInfo, "id" | "backend">;

/** The optional fields copied as they are, in the order a JobInfo lists them. */
const PLAIN = [
  "reason",
  "exitCode",
  "exitSignal",
  "workDir",
  "stdout",
  "stderr",
  "batchHost",
  "nodeList",
  "numTasks",
  "partition",
  "submitTime",
  "startTime",
  "endTime",
  "restarts",
] as const;

/** Build a {@link JobInfo} from parsed fields, as `backend` reported them. */
export function buildJobInfo(fields: JobFields, backend: string): JobInfo {
  const { jobId, state } = fields;
  const arrayJobId = fields.arrayJobId;
  const arrayTaskId = arrayJobId !== undefined ? fields.arrayTaskId : undefined;
  const arrayTaskString = arrayJobId !== undefined && arrayTaskId === undefined
    ? fields.arrayTaskString || undefined
    : undefined;
  const job: JobInfo = {
    id: jobIdString(jobId, arrayJobId, arrayTaskId, arrayTaskString),
    jobId,
    name: fields.name,
    user: fields.user,
    state,
    backend,
  };
  if (arrayTaskId !== undefined || arrayTaskString !== undefined) {
    job.arrayJobId = arrayJobId;
    if (arrayTaskId !== undefined) job.arrayTaskId = arrayTaskId;
    if (arrayTaskString !== undefined) job.arrayTaskString = arrayTaskString;
  }
  const finished = isTerminal(state);
  const pending = isPending(state);
  const record = job as unknown as Record<string, unknown>;
  for (const key of PLAIN) {
    const v = fields[key];
    if (v === undefined) continue;
    if ((key === "exitCode" || key === "exitSignal" || key === "endTime") && !finished) continue;
    if (key === "startTime" && pending) continue;
    record[key] = v;
  }
  return job;
}

/**
 * The s9s id of a job record: "123", "123_4" for an array task, and "123_[5-9%2]" (as squeue
 * prints it) for the not yet started rest of an array.
 */
export function jobIdString(
  jobId: number,
  arrayJobId?: number,
  arrayTaskId?: number,
  arrayTaskString?: string,
): string {
  if (arrayJobId !== undefined && arrayTaskId !== undefined) return `${arrayJobId}_${arrayTaskId}`;
  if (arrayJobId !== undefined && arrayTaskString) return `${arrayJobId}_[${arrayTaskString}]`;
  return String(jobId);
}
