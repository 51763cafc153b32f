/**
 * The first look at a target, before anything starts: is a job id well formed, does the cluster
 * know it (or can it not tell: accounting unavailable), and if not, is there a file to read
 * anyway; a plain file's location. Errors here are the user's to fix.
 * @module
 */
import type { StreamingConfig } from "../config/schema.ts";
import { JobNotFoundError, UsageError, UserFacingError } from "../errors.ts";
import { type ClusterBackend, type JobInfo, parseJobId } from "../cluster/job.ts";
import { AccountingUnavailableError } from "../cluster/accounting_unavailable_error.ts";
import { type Resolution, resolveOutput } from "../cluster/path_resolver.ts";
import type { StreamType } from "../core/stream_event.ts";
import type { FileTarget, JobTarget, StreamTarget } from "../core/stream_target.ts";

/** The cluster's records of `jobId` (none without a cluster); a failing cluster is an error. */
export async function lookupJob(
  cluster: ClusterBackend | undefined,
  jobId: string,
): Promise<JobInfo[]> {
  if (!cluster) return [];
  if (!parseJobId(jobId)) {
    throw new UsageError(`"${jobId}" is not a job id`, {
      hint: "job ids look like 123 or 123_4 (array task)",
    });
  }
  try {
    return await cluster.getJob(jobId);
  } catch (err) {
    if (err instanceof UserFacingError) throw err;
    throw new UserFacingError(`could not look up job "${jobId}": ${(err as Error).message}`, {
      hint: "check that Slurm answers (`squeue`), or use --path to follow the file directly",
      cause: err,
    });
  }
}

/** What {@link firstLook} needs besides the target. */
export interface LookOptions {
  config: StreamingConfig;
  cluster?: ClusterBackend;
}

/**
 * For a plain file, or a job the cluster does not know (`jobs` empty): the files to read
 * anyway, one resolution per type; undefined when the cluster knows the job. Throws when there
 * is nothing to read.
 */
async function resolveUnknown(
  target: JobTarget | FileTarget,
  jobs: JobInfo[],
  types: StreamType[],
  o: LookOptions,
): Promise<Resolution[] | undefined> {
  if (jobs.length > 0) return undefined;
  const jobId = target.kind === "job" ? target.jobId : target.label;
  const res = await Promise.all(
    types.map((t) =>
      resolveOutput(jobId, undefined, t, o.config, {
        pathOverride: target.path,
        stderrPathOverride: target.stderrPath,
      })
    ),
  );
  if (res.some((r) => r.location)) return res;
  // stdout and stderr often resolve to the same default file: name each path once.
  const details = [
    ...new Set(
      res.flatMap((r) => r.candidates.map((c) => `tried ${c.path} (${c.from}): not found`)),
    ),
  ];
  if (o.cluster && target.kind === "job") throw new JobNotFoundError(jobId, { details });
  throw new UsageError(
    `no Slurm cluster to ask about job "${jobId}" and no output file found for it`,
    {
      hint:
        "run on a login node with Slurm's commands, configure streaming.slurm_api, use --path FILE, or try --mock",
      details,
    },
  );
}

/** What {@link firstLook} found. */
export interface FirstLook {
  /** The cluster's records (none when it does not know the job, or without a cluster). */
  jobs: JobInfo[];
  /** For a job the cluster does not know: its files, one resolution per type. */
  files?: Resolution[];
  /** Why the cluster could not say whether the job exists (accounting unavailable). */
  unknownWhy?: string;
}

/**
 * Look a target up before it starts. A job is asked of the cluster and, when the cluster does not
 * know it, its files are found; a job slurmctld forgot while accounting could not be asked is
 * read from its file when there is one (the reason is kept for the status), else reported as
 * accounting unavailable, never as "not found". A plain file is located; a step has nothing to
 * look up (sattach checks it when it attaches).
 */
export async function firstLook(
  target: StreamTarget,
  types: StreamType[],
  o: LookOptions,
): Promise<FirstLook> {
  if (target.kind === "step") return { jobs: [] };
  let unknown: AccountingUnavailableError | undefined;
  const jobs = target.kind === "file" ? [] : await lookupJob(o.cluster, target.jobId).catch(
    (err) => {
      if (!(err instanceof AccountingUnavailableError)) throw err;
      unknown = err;
      return [];
    },
  );
  const files = await resolveUnknown(target, jobs, types, o).catch((err) => {
    throw unknown && err instanceof JobNotFoundError ? unknown : err;
  });
  return { jobs, files, unknownWhy: unknown?.message };
}
