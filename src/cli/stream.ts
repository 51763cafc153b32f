/**
 * `s9s stream`: tail -f for jobs, with filters, text or JSON Lines output. Parses the flags
 * (stream_plan.ts), builds the output and the parts, and hands them to the engine's pipeline,
 * which owns starting, running and ending.
 * @module
 */
import type { SshTransport } from "../config/ssh_transports.ts";
import { formatError } from "../errors.ts";
import { Pipeline } from "../engine/pipeline.ts";
import { statusText, warningLine } from "../sinks/text.ts";
import { BrokenPipe, guardedOut } from "../sinks/writer.ts";
import { interrupted } from "../platform/interrupted.ts";
import { stderrOut, stdoutOut } from "./output.ts";
import { checkStreamingEnabled, type GlobalFlags, makeContext, openCluster } from "./common.ts";
import { checkTargetFiles } from "./stream_targets.ts";
import { planStream, type StreamOptions, type StreamPlan } from "./stream_plan.ts";
import { outputListener, prefixedFromStart } from "./stream_output.ts";
import { integrationsPart, recordersPart } from "./stream_parts.ts";
import { refuseStreamOutputsOnInputs } from "./output_identity.ts";
import { watchStdoutClosed } from "../platform/stdout_closed.ts";
import { lazyImport } from "../platform/lazy_import.ts";

export { type StreamOptions, streamOptionsOf } from "./stream_plan.ts";

/** Run `s9s stream`; returns the exit code. */
export async function runStream(flags: GlobalFlags, opts: StreamOptions): Promise<number> {
  const plan = planStream(opts);
  // The configuration first: a bad one is a usage error (exit 2) whatever the files are.
  const ctx = await makeContext(flags);
  if (!opts.explain) await checkTargetFiles(plan.targets, opts.follow);
  if (!opts.explain) await checkStreamingEnabled(flags, ctx);
  const config = ctx.loaded.config;
  if (!opts.explain) refuseStreamOutputsOnInputs(plan.targets, opts.save, config);
  const cluster = flags.mock || plan.targets.some((t) => t.kind !== "file")
    ? await openCluster(flags, ctx)
    : undefined;
  const progress = !!opts.progress || config.streaming.progress_updates;
  const { filter: include, exclude } = opts;
  const pipeline = new Pipeline({
    config,
    cluster,
    debug: ctx.debug,
    keepBuffers: false,
    progress,
    include,
    exclude,
  });
  if (opts.explain) return await explain(pipeline, plan);
  // A reader that goes away (`| head`) ends the command quietly, with exit 0; any other failed
  // write (a full disk) ends it with exit 1 and the output's error.
  const closed = Promise.withResolvers<"closed">();
  let outputFailure: unknown;
  const out = guardedOut(stdoutOut, {
    onClosed: () => closed.resolve("closed"),
    onFailed: (err) => {
      outputFailure = err;
      closed.resolve("closed");
    },
  });
  // --tasks and per-task files: every task its own stream from the first line (prefixed);
  // --task N: one, plain.
  const several = prefixedFromStart(plan);
  const told = { errors: new Set<Error>(), debug: ctx.debugEnabled };
  const printer = outputListener(pipeline.manager, {
    ...opts,
    ...plan,
    template: plan.template,
    out,
    progress,
    several,
    told,
  });
  if (plan.tasks) {
    const { splitTasks } = await lazyImport<typeof import("../engine/task_split.ts")>(
      "src/engine/task_split.ts",
    );
    pipeline.output(splitTasks(printer, plan.tasks));
  } else pipeline.output(printer);
  const warn = (m: string) => void stderrOut.write(warningLine(m));
  const reports = { ...opts, config, debug: ctx.debug, warn };
  await pipeline.attach(
    integrationsPart({ ...reports, notice: (m) => void stderrOut.write(`${m}\n`) }),
    recordersPart({ ...reports, unavailable: (e) => warn(`history not saved: ${e.message}`) }),
  );
  let result: "done" | "int" | "closed";
  // A reader that left while the files are quiet (`| head -1`): end now, not at the next line.
  const stopPipeWatch = opts.follow ? watchStdoutClosed(() => closed.resolve("closed")) : () => {};
  try {
    result = await pipeline.run(plan.requests, [interrupted(), closed.promise]);
  } catch (err) {
    if (err instanceof BrokenPipe) return 0;
    throw err;
  } finally {
    stopPipeWatch();
    await pipeline.close();
    // Status lines are written without waiting; let them out before the process exits.
    await Promise.all([stdoutOut.write(""), stderrOut.write("")]).catch(() => {});
  }
  if (outputFailure !== undefined) throw outputFailure;
  if (result !== "done") return result === "int" ? 130 : 0;
  const errors = pipeline.manager.errors;
  for (const e of errors) {
    // Messages name files, whose names may hold a newline or an escape: shown, not obeyed.
    if (!told.errors.has(e)) {
      await stderrOut.write(formatError(e, ctx.debugEnabled, statusText) + "\n");
    }
  }
  if (errors.length > 0) return 1;
  for (const id of opts.job ?? []) {
    const jobs = pipeline.manager.endedJobs(id);
    if (jobs) opts.onJobEnded?.(id, jobs);
  }
  return opts.exitCode ? pipeline.manager.exitCode : 0;
}

/** --explain's word on how nodes are reached over SSH (what auto chose, and why). */
async function sshTransportLine(ssh: { transport: SshTransport }): Promise<string> {
  const { chooseTransport } = await lazyImport<typeof import("../sources/ssh_transport.ts")>(
    "src/sources/ssh_transport.ts",
  );
  const why = await chooseTransport(ssh.transport).then(
    (c) => c.why,
    (err) => (err as Error).message,
  );
  return `ssh transport: ${why}`;
}

/** `--explain`: print how each target's output is found, then end. */
async function explain(pipeline: Pipeline, plan: StreamPlan): Promise<number> {
  const { config, cluster } = pipeline.manager;
  const { explainTargets } = await lazyImport<typeof import("../engine/explain.ts")>(
    "src/engine/explain.ts",
  );
  const lines = await explainTargets(plan.targets, plan.types, {
    config: config.streaming,
    cluster,
  })
    .finally(() => pipeline.close());
  if (config.streaming.ssh.enabled) lines.push(await sshTransportLine(config.streaming.ssh));
  await stdoutOut.write(lines.join("\n") + "\n").catch((err) => {
    if (!(err instanceof BrokenPipe)) throw err; // a reader that left early is no error
  });
  return 0;
}
