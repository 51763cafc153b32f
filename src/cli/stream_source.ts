/**
 * `s9s stream --source` and `--node`: checks them and turns them into start options per stream.
 * @module
 */
import { UsageError } from "../errors.ts";
import type { StartOptions } from "../engine/stream_manager.ts";
import { SOURCE_MODES, type SourceMode } from "../sources/choose_source.ts";
import { checkStepId, STEP_ID } from "../sources/sattach.ts";

export { SOURCE_MODES };

/** The flags involved. */
export interface SourceFlags {
  source?: string;
  node?: string;
  job?: string[];
  path?: string;
}

/** Check `--source`/`--node` against the other flags (UsageError with the fix). */
export function checkSourceFlags(o: SourceFlags): void {
  const mode = (o.source ?? "auto") as SourceMode;
  if (o.node && (o.job?.length || !o.path)) {
    throw new UsageError("--node follows a file on a node: give --path FILE and no --job", {
      hint: "e.g. `s9s stream --node node001 --path /tmp/job_42.out`",
    });
  }
  if (mode === "ssh" && !o.node && !o.job?.length) {
    throw new UsageError("--source ssh needs a node: give --node NAME with --path", {
      hint: "or give --job ID to read on the job's BatchHost",
    });
  }
  if (o.node && mode !== "auto" && mode !== "ssh") {
    throw new UsageError(`--node reads over SSH; it cannot go with --source ${mode}`);
  }
  for (const j of o.job ?? []) {
    if (mode === "api" || STEP_ID.test(j)) {
      if (!STEP_ID.test(j)) {
        throw new UsageError(`--source api follows a job step: "${j}" is a job`, {
          hint: `give a step started with srun, e.g. --job ${j}.0`,
        });
      }
      checkStepId(j);
      if (mode === "file" || mode === "ssh") {
        throw new UsageError(`"${j}" is a job step: only --source api (sattach) can read it`, {
          hint: `follow the job's files with --job ${j.split(".")[0]} --source ${mode}`,
        });
      }
    }
  }
}

/** Start options for one stream id (a job, a step or a file label). */
export function sourceStartOptions(id: string, o: SourceFlags): Partial<StartOptions> {
  const mode = (o.source ?? "auto") as SourceMode;
  if (STEP_ID.test(id) && (mode === "auto" || mode === "api")) {
    // A step is not a job to track: its I/O comes from sattach, which ends with the step.
    return {
      source: "api",
      fileOnly: true,
      path: `sattach:${id}:stdout`,
      stderrPath: `sattach:${id}:stderr`,
    };
  }
  return { source: mode, node: o.node };
}
