/**
 * `s9s stream`'s flags, parsed and checked before anything starts: the targets, what each
 * request reads (type, follow, tail), the output shape, and the patterns.
 * @module
 */
import { UsageError } from "../errors.ts";
import { compilePattern, PatternError } from "../config/regex.ts";
import type { StreamType } from "../core/stream_event.ts";
import type { StreamTarget } from "../core/stream_target.ts";
import type { JobInfo } from "../cluster/job.ts";
import type { StreamRequest } from "../engine/stream_manager.ts";
import { parseTemplate, type Template } from "../sinks/template.ts";
import { intFlag } from "./common.ts";
import { planTargets } from "./stream_targets.ts";

/** Options of `s9s stream`, after parsing. */
export interface StreamOptions {
  job?: string[];
  type: string;
  /** A single --path (library callers); `paths` wins when both are given. */
  path?: string;
  /** Every --path given; see {@link planTargets} for how they combine with --job. */
  paths?: string[];
  template?: string;
  stderrPath?: string;
  /** --node: the node (or ssh_config alias) that has --path. */
  node?: string;
  /** --source: auto, file, ssh or api. */
  source?: string;
  filter?: string[];
  exclude?: string[];
  outputFormat: string;
  follow: boolean;
  tail?: string;
  events?: boolean;
  progress?: boolean;
  exitCode?: boolean;
  /** Told of each `--job` that ended, with its records as last seen (`s9s submit`'s last word). */
  onJobEnded?: (id: string, jobs: JobInfo[]) => void;
  explain?: boolean;
  save?: string;
  exportMetrics?: string;
  forward?: string[];
  color: boolean;
  quiet?: boolean;
  /** --tasks: split labelled output (sattach, `srun --label`) into one stream per task. */
  tasks?: boolean;
  /** --task N: only task N of labelled output. */
  task?: string;
}

/** `stream`'s options as commander or the fast parser give them (by key), for `runStream`. */
export function streamOptionsOf(opts: Record<string, unknown>): StreamOptions {
  return { ...opts, paths: opts.path, path: undefined } as unknown as StreamOptions;
}

/** What a `s9s stream` run follows and how it prints. */
export interface StreamPlan {
  targets: StreamTarget[];
  /** One request per target, for the engine. */
  requests: StreamRequest[];
  types: StreamType[];
  json: boolean;
  template?: Template;
  /** The job (and step) ids asked for. */
  jobs: string[];
  /** --tasks or --task N: labelled lines are split by task (all of them, or only this one). */
  tasks?: { only?: number };
}

/** Parse and check every flag that can be wrong (UsageError naming the flag and the fix). */
export function planStream(opts: StreamOptions): StreamPlan {
  const targets = planTargets({
    jobs: opts.job,
    paths: opts.paths ?? (opts.path ? [opts.path] : []),
    stderrPath: opts.stderrPath,
    node: opts.node,
    source: opts.source,
  });
  const tail = intFlag("--tail", opts.tail);
  const only = intFlag("--task", opts.task);
  const json = opts.outputFormat === "json";
  const template = checkOutputFlags({ ...opts, json }, "-o json");
  const type = opts.type as StreamType | "all";
  return {
    targets,
    requests: targets.map((target) => ({ target, type, follow: opts.follow, tail })),
    types: type === "all" ? ["stdout", "stderr"] : [type],
    json,
    template,
    jobs: [...new Set(opts.job ?? [])],
    tasks: opts.tasks || only !== undefined ? { only } : undefined,
  };
}

/**
 * Check the output flags `s9s stream` and `s9s submit` share, before anything starts: the
 * --filter/--exclude patterns, and a --template only with text output (`jsonFlag` is how the
 * command spells JSON output). Returns the parsed template.
 */
export function checkOutputFlags(
  o: { filter?: string[]; exclude?: string[]; template?: string; json: boolean },
  jsonFlag: string,
): Template | undefined {
  checkPatterns("--filter", o.filter);
  checkPatterns("--exclude", o.exclude);
  if (o.template === undefined) return undefined;
  if (o.json) {
    throw new UsageError(`--template shapes text output; it cannot be used with ${jsonFlag}`, {
      hint:
        `pick the fields with jq instead, e.g. \`${jsonFlag} | jq -r '.job_id + " " + .content'\``,
    });
  }
  return parseTemplate(o.template);
}

/** Reject a bad --filter/--exclude pattern before anything starts, naming the flag. */
function checkPatterns(flag: string, patterns: string[] = []): void {
  for (const p of patterns) {
    try {
      compilePattern(p);
    } catch (err) {
      if (!(err instanceof PatternError)) throw err;
      throw new UsageError(`${flag}: ${err.message}`, {
        hint:
          `quote the pattern and escape regex characters, e.g. ${flag} 'ERROR|WARN' or ${flag} 'x\\[1\\]'`,
      });
    }
  }
}
