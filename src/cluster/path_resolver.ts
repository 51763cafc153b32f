/**
 * Where does a job write its output? Tries, in order: the `--path` override, the job's own
 * StdOut/StdErr (expanded here when Slurm left %-fields in), the configured base_dir patterns,
 * the custom patterns (globs allowed), and Slurm's defaults; explains every candidate.
 * @module
 */
import { isAbsolute, join as joinPath } from "../platform/posix_path.ts";
import type { StreamingConfig } from "../config/schema.ts";
import type { StreamType } from "../core/stream_event.ts";
import { expandHome } from "../platform/paths.ts";
import { pathExists as statExists } from "../platform/path_exists.ts";
import { firstNode, type JobInfo } from "./job.ts";
import { expandPattern, fieldsOf, hasPattern, type PatternFields } from "./patterns.ts";

/** One candidate path and what became of it. */
export interface Candidate {
  path: string;
  /** Where it came from: "--path", "StdOut", "file_paths.stdout_pattern", … */
  from: string;
  exists: boolean;
  /** Why it was chosen or passed over. */
  note?: string;
}

/** Where a stream's bytes are. */
export interface Location {
  path: string;
  from: string;
  /** Whether the file could be seen from here when resolved. */
  exists: boolean;
  /** The node to reach over SSH when the file is not visible here. */
  host?: string;
  /** stdout and stderr are the same file (stderr not separate). */
  merged?: boolean;
}

/** The result of resolving one stream type. */
export interface Resolution {
  location?: Location;
  candidates: Candidate[];
}

/** Options for resolving. */
export interface ResolveOptions {
  /** `--path` (stdout, or the only file) and `--stderr-path` overrides, Slurm patterns allowed. */
  pathOverride?: string;
  stderrPathOverride?: string;
  /** Pattern fields of one task or node of the job (`%t`, `%n`, `%N` of a per-task file). */
  fields?: Partial<PatternFields>;
  /** The node that has the file, when not the job's BatchHost (a per-node file). */
  host?: string;
  /** Injected for tests; defaults to a real stat. */
  exists?: (path: string) => Promise<boolean>;
  glob?: (pattern: string) => Promise<string[]>;
}

function join(dir: string | undefined, path: string): string {
  return isAbsolute(path) || !dir ? path : joinPath(dir, path);
}

/** Expand the glob characters * ? [..] in the last path segments (simple, no **). */
export async function simpleGlob(pattern: string): Promise<string[]> {
  if (!/[*?[]/.test(pattern)) return (await statExists(pattern)) ? [pattern] : [];
  const parts = pattern.split("/");
  let bases = [parts[0] === "" ? "/" : "."];
  const start = parts[0] === "" ? 1 : 0;
  for (let i = start; i < parts.length; i++) {
    const seg = parts[i];
    const next: string[] = [];
    for (const b of bases) {
      if (!/[*?[]/.test(seg)) {
        next.push(b === "/" ? `/${seg}` : b === "." && i === 0 ? seg : `${b}/${seg}`);
        continue;
      }
      const re = new RegExp(
        "^" + seg.replace(/[.+^${}()|\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".") + "$",
      );
      try {
        for await (const e of Deno.readDir(b)) {
          if (re.test(e.name)) next.push(b === "/" ? `/${e.name}` : `${b}/${e.name}`);
        }
      } catch (err) {
        // A directory that is not there or not ours to list holds no match; anything else is
        // a real failure.
        if (
          !(err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory ||
            err instanceof Deno.errors.PermissionDenied)
        ) throw err;
      }
    }
    bases = next;
  }
  const out: string[] = [];
  for (const b of bases) if (await statExists(b)) out.push(b);
  // Newest last-modified first: the most likely current output.
  const withTimes = await Promise.all(out.map(async (p) => {
    try {
      return { p, t: (await Deno.stat(p)).mtime?.getTime() ?? 0 };
    } catch (err) {
      // Removed meanwhile, or unreadable (it still exists): the oldest, then.
      if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.PermissionDenied) {
        return { p, t: 0 };
      }
      throw err;
    }
  }));
  return withTimes.sort((a, b) => b.t - a.t).map((x) => x.p);
}

/** Pattern fields for a job id known only by its id (job forgotten by slurmctld). */
export function fieldsFromId(id: string): PatternFields {
  const m = /^(\d+)(?:_(\d+))?$/.exec(id);
  return {
    jobId: m ? Number(m[1]) : id,
    arrayJobId: m && m[2] ? Number(m[1]) : undefined,
    arrayTaskId: m && m[2] ? Number(m[2]) : undefined,
    user: Deno.env.get("USER") || undefined,
  };
}

/** Resolve where a stream of a job is written. `job` may be undefined (unknown to the cluster). */
export async function resolveOutput(
  jobId: string,
  job: JobInfo | undefined,
  type: StreamType,
  config: StreamingConfig,
  options: ResolveOptions = {},
): Promise<Resolution> {
  const exists = options.exists ?? statExists;
  const glob = options.glob ?? simpleGlob;
  const fields = { ...(job ? fieldsOf(job) : fieldsFromId(jobId)), ...options.fields };
  const workDir = job?.workDir;
  const candidates: Candidate[] = [];
  // The batch script runs on BatchHost, the first node of the allocation (sacct has no BatchHost).
  const host = options.host ?? (job?.batchHost || firstNode(job?.nodeList));

  const consider = async (
    path: string,
    from: string,
    merged = false,
  ): Promise<Location | undefined> => {
    const p = expandHome(path);
    const ok = await exists(p);
    candidates.push({ path: p, from, exists: ok });
    return ok ? { path: p, from, exists: true, host, merged } : undefined;
  };

  // 1. --path / --stderr-path override: used even if the file is not there yet.
  const override = type === "stderr"
    ? options.stderrPathOverride ?? options.pathOverride
    : options.pathOverride;
  if (override) {
    const p = expandHome(join(workDir, expandPattern(override, fields)));
    const ok = await exists(p);
    candidates.push({
      path: p,
      from: type === "stderr" && options.stderrPathOverride ? "--stderr-path" : "--path",
      exists: ok,
      note: "chosen: given on the command line",
    });
    return {
      location: {
        path: p,
        from: "--path",
        exists: ok,
        host,
        merged: type === "stderr" && !options.stderrPathOverride,
      },
      candidates,
    };
  }

  // 2. What Slurm says the job writes to.
  let slurmPath: string | undefined;
  let merged = false;
  if (job) {
    const own = type === "stdout" ? job.stdout : job.stderr;
    if (own && own !== "(null)") {
      slurmPath = own;
    } else if (type === "stderr" && job.stdout && job.stdout !== "(null)") {
      slurmPath = job.stdout; // no separate stderr: it goes to the stdout file
      merged = true;
    } else if (type === "stdout" || type === "stderr") {
      slurmPath = job.arrayTaskId !== undefined ? "slurm-%A_%a.out" : "slurm-%j.out";
      merged = type === "stderr";
    }
  }
  let preferred: Location | undefined;
  if (slurmPath) {
    const p = join(workDir, hasPattern(slurmPath) ? expandPattern(slurmPath, fields) : slurmPath);
    const from = merged
      ? "StdOut (stderr is not separate)"
      : type === "stdout"
      ? "StdOut"
      : "StdErr";
    preferred = await consider(p, from, merged);
    if (preferred) {
      candidates[candidates.length - 1].note = "chosen: the job's own output file";
      return { location: preferred, candidates };
    }
    candidates[candidates.length - 1].note = "not visible from this host (yet)";
  }

  // 3. Configured base_dir + patterns.
  const fp = config.file_paths;
  const pattern = type === "stdout" ? fp.stdout_pattern : fp.stderr_pattern;
  if (fp.base_dir && pattern) {
    const loc = await consider(
      join(expandHome(fp.base_dir), expandPattern(pattern, fields)),
      `file_paths.${type}_pattern`,
    );
    if (loc) {
      candidates[candidates.length - 1].note = "chosen: configured pattern";
      return { location: loc, candidates };
    }
  }

  // 4. Custom patterns (globs allowed).
  for (const cp of fp.custom_patterns) {
    const expanded = expandHome(join(workDir, expandPattern(cp, fields)));
    const matches = await glob(expanded);
    const pick = matches.find((m) => type === "stderr" ? /err/i.test(m) : !/\.err$/i.test(m)) ??
      (type === "stdout" ? matches[0] : undefined);
    candidates.push({
      path: expanded,
      from: "file_paths.custom_patterns",
      exists: pick !== undefined,
      note: pick
        ? `chosen: matched ${pick}`
        : matches.length
        ? "matched only other stream's files"
        : "no match",
    });
    if (pick) {
      return {
        location: { path: pick, from: "file_paths.custom_patterns", exists: true, host },
        candidates,
      };
    }
  }

  // 5. Slurm's default names in the working directory, or here for a forgotten job.
  if (!job) {
    const cwd = Deno.cwd();
    const def = fields.arrayTaskId !== undefined ? "slurm-%A_%a.out" : "slurm-%j.out";
    const loc = await consider(
      join(cwd, expandPattern(def, fields)),
      "Slurm default name",
      type === "stderr",
    );
    if (loc) {
      candidates[candidates.length - 1].note = "chosen: Slurm's default output name";
      return { location: loc, candidates };
    }
  }

  // Nothing visible here: if Slurm named a file, follow it anyway (it may appear, or be on
  // the job's node and need SSH).
  if (slurmPath && job) {
    const p = join(workDir, hasPattern(slurmPath) ? expandPattern(slurmPath, fields) : slurmPath);
    return {
      location: { path: p, from: candidates[0]?.from ?? "StdOut", exists: false, host, merged },
      candidates,
    };
  }
  return { candidates };
}
