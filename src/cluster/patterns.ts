/**
 * Slurm filename patterns (`sbatch -o/-e`): %j %J %A %a %x %u %N %n %t %s %% with zero padding
 * like %4a, as slurmstepd expands them for the batch step.
 * @module
 */
import { firstNode, type JobInfo } from "./job.ts";

/** Slurm's NO_VAL, which %a becomes for a job that is not an array task. */
const NO_VAL = 4294967294;

/** Fields a pattern may refer to. */
export interface PatternFields {
  jobId: number | string;
  arrayJobId?: number;
  arrayTaskId?: number;
  name?: string;
  user?: string;
  node?: string;
  /** %t: the task (rank) a per-task file is for; 0 (the batch step's) when not given. */
  task?: number;
  /** %n: the node's index in the allocation (0 for the first) a per-node file is for. */
  nodeIndex?: number;
}

/** Whether a path still holds Slurm % fields to expand. */
export function hasPattern(path: string): boolean {
  return /%(\d*)[jJAaxuNntsb%]/.test(path) && !path.includes("\\");
}

/** Expand a Slurm filename pattern. A backslash anywhere disables expansion (as in Slurm). */
export function expandPattern(pattern: string, f: PatternFields): string {
  if (pattern.includes("\\")) return pattern.replaceAll("\\", "");
  return pattern.replace(/%(\d*)([jJAaxuNntsb%])/g, (all, width: string, code: string) => {
    const pad = (v: number | string) => {
      const s = String(v);
      const w = width ? Math.min(Number(width), 10) : 0;
      return s.padStart(w, "0");
    };
    switch (code) {
      case "%":
        return "%";
      case "j":
      case "J":
        return pad(f.jobId);
      case "A":
        return pad(f.arrayJobId ?? f.jobId);
      case "a":
        return pad(f.arrayTaskId ?? NO_VAL);
      case "b":
        return pad((f.arrayTaskId ?? 0) % 10);
      case "x":
        return f.name ?? all;
      case "u":
        return f.user ?? all;
      case "N":
        return f.node ?? all;
      case "n":
        return pad(f.nodeIndex ?? 0);
      case "t":
        return pad(f.task ?? 0);
      case "s":
        return "batch";
      default:
        return all;
    }
  });
}

/** Pattern fields for a job. */
export function fieldsOf(job: JobInfo): PatternFields {
  return {
    jobId: job.jobId,
    arrayJobId: job.arrayJobId,
    arrayTaskId: job.arrayTaskId,
    name: job.name,
    user: job.user,
    node: job.batchHost || firstNode(job.nodeList),
  };
}
