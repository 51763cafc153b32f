/**
 * What `s9s stream` prints: the listener that writes lines as text (plain, or `[job:type]`
 * prefixed once several streams can interleave), through a `--template`, or as JSON Lines.
 * @module
 */
import type { StreamListener, StreamManager } from "../engine/stream_manager.ts";
import { jsonSink } from "../sinks/json.ts";
import { type Template, templateSink } from "../sinks/template.ts";
import { statusText, textSink } from "../sinks/text.ts";
import type { TextOut } from "../sinks/writer.ts";
import { stdoutIsTerminal, useColor } from "../platform/terminal.ts";
import { stderrOut } from "./output.ts";
import { formatError } from "../errors.ts";
import type { StreamTarget } from "../core/stream_target.ts";
import { hasAllocationFields } from "../engine/job_parts.ts";

/** How the output is shaped. */
export interface OutputOptions {
  out: TextOut;
  json: boolean;
  template?: Template;
  events?: boolean;
  progress: boolean;
  /** Color allowed (not --no-color); used only on a terminal without NO_COLOR. */
  color: boolean;
  quiet?: boolean;
  /** More than one target asked for: prefix from the first line. */
  several: boolean;
  /** The job ids asked for (a task of an array asked by its id makes prefixes). */
  jobs: string[];
  /**
   * Text output: a stream's fatal error is told here when it happens, as `error:` and `hint:`
   * (with a stack when `debug`), and added to this set, so the command does not say it again.
   */
  told?: { errors: Set<Error>; debug: boolean };
}

/**
 * Whether text lines are prefixed from the first one: several targets; `--tasks` (every task its
 * own stream); or a job's per-task or per-node files (`--path` with `%t`, `%N`), each a stream
 * whose label says whose lines they are. Those files start being read one by one, as each is
 * found: counting the streams being read when the first line comes printed the first task's
 * lines plain, or not, by chance (and a lone task's always plain).
 */
export function prefixedFromStart(
  plan: { targets: StreamTarget[]; tasks?: { only?: number } },
): boolean {
  return plan.targets.length > 1 || (!!plan.tasks && plan.tasks.only === undefined) ||
    plan.targets.some((t) =>
      t.kind === "job" && (hasAllocationFields(t.path) || hasAllocationFields(t.stderrPath))
    );
}

/** The listener that prints a stream command's lines and status. */
export function outputListener(manager: StreamManager, o: OutputOptions): StreamListener {
  const filter = manager.filter;
  const color = o.color && useColor();
  const sanitize = stdoutIsTerminal();
  const sink = o.json
    ? jsonSink({ out: o.out, filter, events: !!o.events, progress: o.progress })
    : textSink({
      out: o.out,
      status: o.quiet ? undefined : stderrOut,
      prefix: false,
      color,
      sanitize,
      filter,
    });
  const prefixed = o.json ? sink : textSink({ out: o.out, prefix: true, color, sanitize, filter });
  // A template says itself what each line shows (add {{job_id}} to tell streams apart).
  const lines = o.template
    ? templateSink({ out: o.out, template: o.template, filter, sanitize, color })
    : undefined;
  // A single stream prints plain lines. Prefixes go on from the first line when more than one
  // stream can come: `several` ({@link prefixedFromStart}), an array job asked for by its id
  // (tasks start later), or stdout and stderr in separate files (both are located before either's
  // first line).
  let prefixing = o.several;
  return {
    // The sinks print a filtered batch's selection only (its text, lines and numbers).
    selectedOnly: true,
    onLines: (s, batch, selection) => {
      if (
        !prefixing &&
        ((s.job?.arrayJobId !== undefined && !o.jobs.includes(s.jobId)) ||
          manager.streams.filter((x) => x.reading).length > 1)
      ) {
        prefixing = true;
      }
      return (lines ?? (prefixing ? prefixed : sink)).onLines!(s, batch, selection);
    },
    onProgress: (s, text, lineNum) => sink.onProgress?.(s, text, lineNum),
    onStatus: (s, ev) => {
      // Once, as error and hint, not as a `s9s:` notice and then again at the end.
      const told = o.told;
      // JSON without --events has no status on stdout: the error goes to stderr all the same.
      const err = told && (!o.json || !o.events) && ev.state === "error" &&
        manager.errors.find((e) => e.message === ev.content && !told.errors.has(e));
      if (!err) return sink.onStatus?.(s, ev);
      told.errors.add(err);
      void stderrOut.write(formatError(err, told.debug, statusText) + "\n");
    },
  };
}
