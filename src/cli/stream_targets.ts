/**
 * What one `s9s stream` follows: jobs (found through the cluster) and plain files (`--path`),
 * mixed freely, each with the label its lines are prefixed with; and the checks on files that
 * can fail at once instead of waiting forever.
 * @module
 */
import { basename, dirname, resolve } from "../platform/posix_path.ts";
import { UsageError, UserFacingError } from "../errors.ts";
import { expandHome } from "../platform/paths.ts";
import { osReason } from "../platform/os_reason.ts";
import { jobIdInRange, MAX_JOB_ID } from "../cluster/job.ts";

/** One thing to follow. */
export interface StreamTarget {
  /** The job id, or the label of a plain file (its name; its path when names collide). */
  id: string;
  /** The job's output file (`--path` with one job pattern) or the plain file. */
  path?: string;
  stderrPath?: string;
  /** A plain file: no cluster lookup, no job lifecycle. */
  fileOnly: boolean;
}

/**
 * Turn `--job` and `--path` into targets. With `--job`, a single `--path` (and `--stderr-path`)
 * says where the jobs write, as Slurm's `--output` does; two or more `--path` are files of their
 * own, followed beside the jobs. Without `--job`, every `--path` is a file of its own.
 */
export function planTargets(jobs: string[], paths: string[], stderrPath?: string): StreamTarget[] {
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
  const unique = [...new Set(jobs)];
  if (unique.length > 0 && paths.length === 1) {
    return unique.map((id) => ({ id, path: paths[0], stderrPath, fileOnly: false }));
  }
  const files = [...new Set(paths)];
  const names = files.map((p) => basename(p) || p);
  const taken = new Set(unique);
  const labels = files.map((p, i) =>
    names.indexOf(names[i]) !== names.lastIndexOf(names[i]) || taken.has(names[i]) ? p : names[i]
  );
  return [
    ...unique.map((id) => ({ id, fileOnly: false })),
    ...files.map((p, i) => ({
      id: labels[i],
      path: p,
      stderrPath: unique.length === 0 ? stderrPath : undefined,
      fileOnly: true,
    })),
  ];
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
  for (const t of targets) {
    for (const [flag, p] of [["--path", t.path], ["--stderr-path", t.stderrPath]] as const) {
      if (p === undefined) continue;
      if (!t.fileOnly && (p.includes("%") || !expandHome(p).startsWith("/"))) continue;
      const problem = await problemOf(p, flag, t.fileOnly && !follow);
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
