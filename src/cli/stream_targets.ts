/**
 * What one `s9s stream` follows, made from its flags: jobs (found through the cluster), job
 * steps (`123.0`, read through sattach) and plain files (`--path`), mixed freely, each as the
 * engine's {@link StreamTarget}; `--source` and `--node` checked against them; and the checks on
 * files that can fail at once instead of waiting forever.
 * @module
 */
import { basename, dirname, resolve } from "../platform/posix_path.ts";
import { UsageError, UserFacingError } from "../errors.ts";
import { expandHome } from "../platform/paths.ts";
import {
  type SourceMode,
  type StepTarget,
  type StreamTarget,
  targetOfId,
} from "../core/stream_target.ts";
import { checkStepId } from "../core/step_id.ts";
import { osReason } from "../platform/os_reason.ts";
import { jobIdInRange, MAX_JOB_ID } from "../cluster/job.ts";

/** The flags that say what to follow. */
export interface TargetFlags {
  jobs?: string[];
  paths?: string[];
  stderrPath?: string;
  /** --node: the node (or ssh_config alias) that has the --path files. */
  node?: string;
  /** --source: auto, file, ssh or api. */
  source?: string;
}

/**
 * Turn `--job`, `--path`, `--source` and `--node` into targets (UsageError with the fix when they
 * do not go together). With `--job`, a single `--path` (and `--stderr-path`) says where the jobs
 * write, as Slurm's `--output` does; two or more `--path` are files of their own, followed beside
 * the jobs (on `--node` when given). A job step (`123.0`) is read through sattach; `--source`
 * applies to the jobs (ssh reads on their BatchHost).
 */
export function planTargets(f: TargetFlags): StreamTarget[] {
  const jobs = [...new Set(f.jobs ?? [])];
  const paths = f.paths ?? [];
  const { stderrPath } = f;
  if (jobs.length === 0 && paths.length === 0) {
    throw new UsageError("nothing to stream: give --job ID (or --path FILE)", {
      hint: "e.g. `s9s stream --job 123`, or `s9s stream --mock --job 1001` to try it",
    });
  }
  if (stderrPath !== undefined && paths.length !== 1) {
    throw new UsageError(
      paths.length === 0
        ? "--stderr-path needs --path as well"
        : "--stderr-path goes with one --path",
      { hint: "e.g. `s9s stream --job 123 --path out.log --stderr-path err.log`" },
    );
  }
  for (const id of jobs) {
    if (!jobIdInRange(id)) {
      throw new UsageError(`job id "${id}" is out of range`, {
        hint: `Slurm job ids are whole numbers up to ${MAX_JOB_ID}`,
      });
    }
  }
  const mode = (f.source ?? "auto") as SourceMode;
  const where = jobs.length > 0 && paths.length === 1 ? paths[0] : undefined;
  const files = where === undefined ? [...new Set(paths)] : [];
  checkSourceFlags(mode, f.node, { jobs: jobs.length, files: files.length, where });
  const via = mode === "api" ? "auto" : mode;
  const targets: StreamTarget[] = jobs.map((id) => {
    const t = targetOfId(id, via);
    if (t.kind === "step") return checkStep(t, mode);
    if (mode === "api") {
      throw new UsageError(`--source api follows a job step: "${id}" is a job`, {
        hint: `give a step started with srun, e.g. --job ${id}.0`,
      });
    }
    return where === undefined ? t : { ...t, path: where, stderrPath };
  });
  const names = files.map((p) => basename(p) || p);
  const taken = new Set(jobs);
  files.forEach((path, i) => {
    const name = names[i];
    const label = names.indexOf(name) !== names.lastIndexOf(name) || taken.has(name) ? path : name;
    targets.push({
      kind: "file",
      label,
      path,
      stderrPath: jobs.length === 0 ? stderrPath : undefined,
      node: f.node,
    });
  });
  return targets;
}

/** `--source` and `--node` against what was asked for. */
function checkSourceFlags(
  mode: SourceMode,
  node: string | undefined,
  n: { jobs: number; files: number; where?: string },
): void {
  if (node && n.files === 0) {
    throw new UsageError(
      n.where === undefined
        ? "--node follows a file on a node: give --path FILE"
        : "--node reads --path files of their own; with --job, a single --path is where the job writes",
      {
        hint: n.where === undefined
          ? "e.g. `s9s stream --node node001 --path /tmp/job_42.out`"
          : "a job's files are read on its BatchHost: --job ID --source ssh",
      },
    );
  }
  if (node && mode !== "auto" && mode !== "ssh") {
    throw new UsageError(`--node reads over SSH; it cannot go with --source ${mode}`);
  }
  if (mode === "ssh" && !node && n.files > 0) {
    throw new UsageError("--source ssh needs a node: give --node NAME with --path", {
      hint: "or give --job ID to read on the job's BatchHost",
    });
  }
  if (mode === "api" && n.files > 0) {
    throw new UsageError("--source api follows job steps; it cannot read --path files", {
      hint: "give the steps with --job 123.0, and follow files in another `s9s stream`",
    });
  }
}

/** A step is read through sattach only, and only a step started with srun. */
function checkStep(t: StepTarget, mode: SourceMode): StepTarget {
  const id = `${t.jobId}.${t.step}`;
  checkStepId(id);
  if (mode === "file" || mode === "ssh") {
    throw new UsageError(`"${id}" is a job step: only --source api (sattach) can read it`, {
      hint: `follow the job's files with --job ${t.jobId} --source ${mode}`,
    });
  }
  return t;
}

/** Whether this host reads the target's files itself (not over SSH, not through sattach). */
export function isLocal(t: StreamTarget): boolean {
  return (t.kind === "file" && !t.node) || (t.kind === "job" && t.via !== "ssh");
}

/** What is wrong with one path, if anything that waiting will not fix. */
async function problemOf(
  path: string,
  flag: string,
  mustExist: boolean,
): Promise<string | undefined> {
  const full = resolve(expandHome(path));
  const dir = dirname(full);
  try {
    const info = await Deno.stat(dir);
    if (!info.isDirectory) return `${flag} "${path}": "${dir}" is not a directory`;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      return `${flag} "${path}": directory "${dir}" does not exist`;
    }
    if (err instanceof Deno.errors.PermissionDenied) {
      return `${flag} "${path}": directory "${dir}" is not accessible (permission denied)`;
    }
    // A loop of symlinks, a name too long…: said as it is, never as a bug in s9s.
    return `${flag} "${path}": directory "${dir}": ${osReason(err)}`;
  }
  if (!mustExist) return undefined;
  try {
    await Deno.stat(full);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return `cannot open "${path}": no such file`;
    if (err instanceof Deno.errors.PermissionDenied) {
      return `cannot open "${path}": permission denied`;
    }
    return `cannot open "${path}": ${osReason(err)}`;
  }
  return undefined;
}

/**
 * Check the files before anything starts: a file in a directory that does not exist never
 * appears, and with `--no-follow` a missing file is an error, as `tail` says "cannot open".
 * Job output given with a Slurm pattern or a relative path (the job's WorkDir) is not checked.
 */
export async function checkTargetFiles(targets: StreamTarget[], follow: boolean): Promise<void> {
  const problems: string[] = [];
  let missingFile = false;
  for (const t of targets.filter(isLocal)) {
    if (t.kind !== "file" && t.kind !== "job") continue;
    const file = t.kind === "file";
    for (const [flag, p] of [["--path", t.path], ["--stderr-path", t.stderrPath]] as const) {
      if (p === undefined) continue;
      if (!file && (p.includes("%") || !expandHome(p).startsWith("/"))) continue;
      const problem = await problemOf(p, flag, file && !follow);
      if (problem) {
        problems.push(problem);
        missingFile ||= problem.endsWith(": no such file");
      }
    }
  }
  if (problems.length === 0) return;
  const hint = missingFile
    ? "without --no-follow, s9s waits for a missing file to appear"
    : "check the path; s9s waits for a file to appear, but not for its directory";
  if (problems.length === 1) throw new UserFacingError(problems[0], { hint });
  throw new UserFacingError(`${problems.length} files cannot be followed`, {
    details: problems,
    hint,
  });
}
