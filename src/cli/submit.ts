/**
 * `s9s submit [sbatch options…] job.sh [args…]`: submit once (sbatch, or slurmrestd's job submit
 * with the REST backend), then follow the job exactly as `s9s stream --job N` does until it ends,
 * and exit with its exit code. Ctrl+C leaves the job running and says how to come back;
 * `--cancel-on-interrupt` cancels it instead, as srun does.
 * @module
 */
import { UsageError } from "../errors.ts";
import { buildStreamEvent } from "../core/stream_event.ts";
import { runSbatch, type SbatchResult, scancel } from "../cluster/sbatch.ts";
import { jobOutcome } from "../engine/job_outcome.ts";
import type { JobInfo } from "../cluster/job.ts";
import { stderrOut, stdoutOut } from "./output.ts";
import {
  backendChoice,
  type Context,
  type GlobalFlags,
  makeContext,
  openCluster,
} from "./common.ts";
import { runStream } from "./stream.ts";
import { checkOutputFlags } from "./stream_plan.ts";
import { splitSubmitArgs, type SubmitArgs } from "./submit_options.ts";
import { lazyImport } from "../platform/lazy_import.ts";

/** What the user sees of one run: status lines on stderr (text) or status events (JSON). */
class Reporter {
  constructor(readonly json: boolean, readonly quiet: boolean) {}

  /** A status line, or event with `state`/`job_state` (JSON), for job `jobId`. */
  async say(
    jobId: string,
    message: string,
    extras: { state?: "pending" | "ended"; job_state?: string } = {},
    always = false,
  ) {
    if (this.json) {
      const ev = buildStreamEvent({
        jobId,
        type: "status",
        content: message,
        time: Date.now(),
        lineNum: 0,
        source: "file",
      }, extras);
      await stdoutOut.write(JSON.stringify(ev) + "\n").catch(() => {});
      return;
    }
    if (!this.quiet || always) await stderrOut.write(`s9s: ${message}\n`).catch(() => {});
  }
}

/** Refuse s9s's own mistakes before anything is submitted. */
function checkOwnOptions(a: SubmitArgs): void {
  const o = a.opts;
  checkOutputFlags({
    filter: o.filter as string[] | undefined,
    exclude: o.exclude as string[] | undefined,
    template: o.template as string | undefined,
    json: o.outputFormat === "json",
  }, "--output-format json");
  if (!a.script && !a.wrap && Deno.stdin.isTerminal()) {
    throw new UsageError("nothing to submit: give a batch script or --wrap 'command'", {
      hint: "e.g. `s9s submit job.sh` or `s9s submit -n 2 --wrap 'srun hostname'`",
    });
  }
}

/** Whether jobs go through slurmrestd (as the backend choice picks it), not the commands. */
function viaRest(flags: GlobalFlags, ctx: Context): boolean {
  const choice = backendChoice(flags, ctx);
  if (choice === "mock") {
    throw new UsageError("the mock cluster runs no jobs: s9s submit needs a real Slurm", {
      hint: "try `s9s stream --mock --job 1001` to see following on the mock cluster",
    });
  }
  return choice === "rest" || (choice === "auto" && ctx.loaded.config.streaming.slurm_api.enabled);
}

/** Submit through the backend the flags and config choose. */
async function submit(a: SubmitArgs, flags: GlobalFlags, ctx: Context): Promise<SbatchResult> {
  if (viaRest(flags, ctx)) {
    const { restSubmit } = await lazyImport<typeof import("./submit_rest.ts")>(
      "src/cli/submit_rest.ts",
    );
    return await restSubmit(a, ctx);
  }
  return await runSbatch(a.sbatch);
}

/**
 * Run `s9s submit` with the arguments after `submit`; returns the exit code, or undefined when
 * `--help` was asked for (the caller shows it).
 */
export async function runSubmit(
  globals: GlobalFlags,
  args: string[],
): Promise<number | undefined> {
  const a = splitSubmitArgs(args);
  if (a.help) return undefined;
  const flags: GlobalFlags = { ...globals, ...a.globals } as GlobalFlags;
  checkOwnOptions(a);
  const o = a.opts;
  const report = new Reporter(o.outputFormat === "json", !!o.quiet);
  if (a.outputLikeFormat) {
    // Valid for sbatch, so not refused; but said, --quiet or not, before anything is submitted.
    const f = a.outputLikeFormat;
    await stderrOut.write(
      `s9s: note: -o ${f} is sbatch's --output here: the job writes to a file named "${f}"; for s9s's ${f} output use --output-format ${f}\n`,
    );
  }
  const ctx = await makeContext(flags);

  // From here on a Ctrl+C must not lose the job id: it is noted, and acted on once known.
  let interrupted = false;
  const onSignal = () => interrupted = true;
  for (const s of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(s, onSignal);
  try {
    const r = await submit(a, flags, ctx);
    if (r.kind === "failed") return r.usage ? 2 : 1; // sbatch said why, on stderr
    if (r.kind === "killed") return 130;
    if (r.kind === "other") {
      await stdoutOut.write(r.stdout);
      return 0;
    }
    const id = r.jobId;
    await report.say(id, `submitted job ${id}`, { state: "pending" });
    let code = 130;
    let ended: JobInfo[] | undefined;
    if (!interrupted) {
      code = await runStream(flags, {
        job: [id],
        type: o.type as string,
        filter: o.filter as string[] | undefined,
        exclude: o.exclude as string[] | undefined,
        template: o.template as string | undefined,
        outputFormat: o.outputFormat as string,
        events: !!o.events,
        color: o.color !== false,
        quiet: !!o.quiet,
        follow: true,
        exitCode: true,
        onJobEnded: (_, jobs) => void (ended = jobs),
      });
    }
    if (interrupted) return await leave(id, !!o.cancelOnInterrupt, flags, ctx, report);
    await finalWord(id, ended, flags, ctx, report);
    return code;
  } finally {
    for (const s of ["SIGINT", "SIGTERM"] as const) Deno.removeSignalListener(s, onSignal);
  }
}

/** Ctrl+C: cancel the job (`--cancel-on-interrupt`) or leave it running and say how to return. */
async function leave(
  id: string,
  cancel: boolean,
  flags: GlobalFlags,
  ctx: Context,
  report: Reporter,
): Promise<number> {
  if (!cancel) {
    await report.say(
      id,
      `detached; job ${id} keeps running. Follow it again with: s9s stream --job ${id}`,
      {},
      true,
    );
    return 130;
  }
  const why = await cancelJob(id, flags, ctx);
  if (why) {
    await stderrOut.write(
      `error: could not cancel job ${id}: ${why}\nhint: cancel it with \`scancel ${id}\`\n`,
    );
    return 1;
  }
  await report.say(id, `cancelled job ${id}`, { state: "ended" }, true);
  return 130;
}

/** Cancel through the backend that submitted it; the error text when that failed. */
async function cancelJob(
  id: string,
  flags: GlobalFlags,
  ctx: Context,
): Promise<string | undefined> {
  if (viaRest(flags, ctx)) {
    const { restCancel } = await lazyImport<typeof import("./submit_rest.ts")>(
      "src/cli/submit_rest.ts",
    );
    return await restCancel(id, ctx);
  }
  return await scancel(id);
}

/**
 * The job has ended: say in one line why it did not succeed (nothing when it did), from its
 * records as the stream last saw them (`ended`), else as the cluster tells them now.
 */
async function finalWord(
  id: string,
  ended: JobInfo[] | undefined,
  flags: GlobalFlags,
  ctx: Context,
  report: Reporter,
): Promise<void> {
  const jobs = ended ?? await lookUp(id, flags, ctx);
  const line = jobs && jobOutcome(id, jobs);
  if (!jobs || !line) return;
  await report.say(id, line, {
    state: "ended",
    job_state: jobs.length === 1 ? jobs[0].state : undefined,
  }, true);
}

/** A job's records as the cluster tells them now; undefined when it cannot (purged, no accounting). */
async function lookUp(
  id: string,
  flags: GlobalFlags,
  ctx: Context,
): Promise<JobInfo[] | undefined> {
  const cluster = await openCluster(flags, ctx).catch(() => undefined);
  if (!cluster) return undefined;
  try {
    return await cluster.getJob(id);
  } catch {
    return undefined; // the exit code already says it
  } finally {
    cluster.close();
  }
}
