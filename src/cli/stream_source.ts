/**
 * `s9s stream --source` and `--node`: checks them against the targets (`--job` and `--path`,
 * planned by `planTargets`) and says how each target is read. `--node` reads the plain
 * files (`--path` of their own) on a node over SSH; `--source` applies to every target; a job
 * step (`123.0`) is read through sattach.
 * @module
 */
import { UsageError } from "../errors.ts";
import { SOURCE_MODES, type SourceMode } from "../sources/choose_source.ts";
import { checkStepId, STEP_ID } from "../sources/sattach.ts";
import type { StreamTarget } from "./stream_targets.ts";

export { SOURCE_MODES };

/** The flags involved. */
export interface SourceFlags {
  source?: string;
  node?: string;
}

/** A target with how it is read (the engine's `source` and `node` start options). */
export interface SourcedTarget extends StreamTarget {
  source: SourceMode;
  /** The node that has this plain file (`--node`). */
  node?: string;
}

/** Whether this host reads the target's files itself (not over SSH, not through sattach). */
export function isLocal(t: SourcedTarget): boolean {
  return !t.node && (t.source === "auto" || t.source === "file");
}

/**
 * Check `--source`/`--node` against the targets (UsageError with the fix) and give each target
 * its source: a job step becomes an api stream of its own (no job to track; sattach ends with
 * the step), a plain file gets `--node`, a job keeps the mode (ssh reads on its BatchHost).
 */
export function sourceTargets(targets: StreamTarget[], o: SourceFlags): SourcedTarget[] {
  const mode = (o.source ?? "auto") as SourceMode;
  const files = targets.filter((t) => t.fileOnly);
  const jobs = targets.filter((t) => !t.fileOnly);
  if (o.node && files.length === 0) {
    throw new UsageError(
      jobs.length === 0 || !jobs[0].path
        ? "--node follows a file on a node: give --path FILE"
        : "--node reads --path files of their own; with --job, a single --path is where the job writes",
      {
        hint: jobs.length === 0 || !jobs[0].path
          ? "e.g. `s9s stream --node node001 --path /tmp/job_42.out`"
          : "a job's files are read on its BatchHost: --job ID --source ssh",
      },
    );
  }
  if (o.node && mode !== "auto" && mode !== "ssh") {
    throw new UsageError(`--node reads over SSH; it cannot go with --source ${mode}`);
  }
  if (mode === "ssh" && !o.node && files.length > 0) {
    throw new UsageError("--source ssh needs a node: give --node NAME with --path", {
      hint: "or give --job ID to read on the job's BatchHost",
    });
  }
  for (const t of jobs) {
    if (mode !== "api" && !STEP_ID.test(t.id)) continue;
    if (!STEP_ID.test(t.id)) {
      throw new UsageError(`--source api follows a job step: "${t.id}" is a job`, {
        hint: `give a step started with srun, e.g. --job ${t.id}.0`,
      });
    }
    checkStepId(t.id);
    if (mode === "file" || mode === "ssh") {
      throw new UsageError(`"${t.id}" is a job step: only --source api (sattach) can read it`, {
        hint: `follow the job's files with --job ${t.id.split(".")[0]} --source ${mode}`,
      });
    }
  }
  if (mode === "api" && files.length > 0) {
    throw new UsageError("--source api follows job steps; it cannot read --path files", {
      hint: "give the steps with --job 123.0, and follow files in another `s9s stream`",
    });
  }
  return targets.map((t): SourcedTarget => {
    if (!t.fileOnly && STEP_ID.test(t.id)) {
      // Not a job to track: the step's I/O comes from sattach, which ends with the step.
      return {
        id: t.id,
        fileOnly: true,
        path: `sattach:${t.id}:stdout`,
        stderrPath: `sattach:${t.id}:stderr`,
        source: "api",
      };
    }
    return { ...t, source: mode, node: t.fileOnly ? o.node : undefined };
  });
}
