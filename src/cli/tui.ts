/**
 * `s9s` with no subcommand: the full-screen terminal UI over the engine's pipeline (streams are
 * started from the UI's keys; alerts and history are the same parts `s9s stream` uses).
 * @module
 */
import { Pipeline } from "../engine/pipeline.ts";
import { UsageError } from "../errors.ts";
import type { ClusterBackend } from "../cluster/job.ts";
import { type GlobalFlags, keyOrigin, makeContext, openCluster } from "./common.ts";
import { integrationsPart, recordersPart } from "./stream_parts.ts";
import { ctrlCRaisesSigint } from "../platform/ctrl_c_signal.ts";

/** Run the terminal UI until the user quits. */
export async function runTui(
  flags: GlobalFlags,
  open: { job?: string; path?: string } = {},
): Promise<void> {
  if (open.path !== undefined && open.job === undefined) {
    throw new UsageError("--path opens a job's files: give --job ID as well", {
      hint: "e.g. `s9s --job 42 --path 'out-%j-%t.txt'`, or `s9s stream --path FILE`",
    });
  }
  if (!Deno.stdin.isTerminal() || !Deno.stdout.isTerminal()) {
    throw new UsageError("the terminal UI needs a terminal on stdin and stdout", {
      hint: "in scripts use `s9s jobs` or `s9s stream --job ID`",
    });
  }
  const ctx = await makeContext(flags);
  const { cluster, startupMessage } = await tryCluster(flags, ctx);
  const config = ctx.loaded.config;
  const pipeline = new Pipeline({
    config,
    cluster,
    keepBuffers: true,
    progress: true,
    debug: ctx.debug,
  });
  const { App } = await import("../tui/views/app.ts");
  let streamingOff: string | undefined;
  if (!config.streaming.enabled) {
    const { streamingOff: off } = await import("../config/streaming_off.ts");
    const { message, hint } = off(await keyOrigin(flags, "streaming.enabled"));
    streamingOff = `${message} (hint: ${hint})`;
  }
  const app = new App({
    config,
    manager: pipeline.manager,
    cluster,
    saveDir: config.streaming.persistence.directory,
    startupMessage,
    debug: ctx.debug,
    // Hidden, for benchmarks: open the monitor on a plain file.
    streamPath: Deno.env.get("S9S_TUI_STREAM_PATH") || undefined,
    openJob: open.job ? { id: open.job, path: open.path } : undefined,
    streamingOff,
  });
  // Alerts fire in the UI too, and what the panes stream is saved to the history as `s9s stream`
  // saves it; their notices go to the status line.
  const reports = { config, debug: ctx.debug, warn: (m: string) => app.notify(m, true) };
  await pipeline.attach(
    integrationsPart({ ...reports, notice: (m) => app.notify(m) }),
    recordersPart({
      ...reports,
      unavailable: (e) => app.notify(`stream history is off: ${e.message}`, true),
    }),
  );
  const onSignal = () => app.quit();
  // SIGINT too: Ctrl+C reaches the UI as a signal (see ctrlCRaisesSigint), so that it quits even
  // while a regular expression keeps the UI busy (then the interrupt watchdog ends it).
  const signals: Deno.Signal[] = ["SIGTERM", "SIGHUP", "SIGINT"];
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  const onRejection = (e: PromiseRejectionEvent) => {
    // A stray async failure goes to the status line instead of killing the UI.
    e.preventDefault();
    app.fail(e.reason);
  };
  globalThis.addEventListener("unhandledrejection", onRejection);
  try {
    const running = app.run(); // raw mode is on once it returns its promise
    ctrlCRaisesSigint();
    await running;
  } finally {
    app.shutdown();
    globalThis.removeEventListener("unhandledrejection", onRejection);
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
    await pipeline.close();
  }
}

/** The cluster, or why there is none (the UI starts anyway and says so). */
async function tryCluster(
  flags: GlobalFlags,
  ctx: Awaited<ReturnType<typeof makeContext>>,
): Promise<{ cluster?: ClusterBackend; startupMessage?: string }> {
  try {
    const cluster = await openCluster(flags, ctx);
    if (cluster) return { cluster };
    return {
      startupMessage:
        "no Slurm cluster found: run on a login node, configure streaming.slurm_api, or use --mock",
    };
  } catch (err) {
    if (err instanceof UsageError) throw err;
    return { startupMessage: `cannot reach the cluster: ${(err as Error).message}` };
  }
}
