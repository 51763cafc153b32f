/**
 * `s9s` with no subcommand: the full-screen terminal UI over the streaming engine.
 * @module
 */
import { StreamManager } from "../engine/stream_manager.ts";
import { UsageError } from "../errors.ts";
import type { ClusterBackend } from "../cluster/job.ts";
import { type GlobalFlags, makeContext, openCluster } from "./common.ts";

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
  let cluster: ClusterBackend | undefined;
  let startupMessage: string | undefined;
  try {
    cluster = await openCluster(flags, ctx);
    if (!cluster) {
      startupMessage =
        "no Slurm cluster found: run on a login node, configure streaming.slurm_api, or use --mock";
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    startupMessage = `cannot reach the cluster: ${(err as Error).message}`;
  }
  const config = ctx.loaded.config;
  const manager = new StreamManager({
    config,
    cluster,
    keepBuffers: true,
    progress: true,
    debug: ctx.debug,
  });
  const { App } = await import("../tui/views/app.ts");
  const app = new App({
    config,
    manager,
    cluster,
    saveDir: config.streaming.persistence.directory,
    startupMessage,
    debug: ctx.debug,
    // Hidden, for benchmarks: open the monitor on a plain file.
    streamPath: Deno.env.get("S9S_TUI_STREAM_PATH") || undefined,
    openJob: open.job ? { id: open.job, path: open.path } : undefined,
  });
  // Alerts from the config fire in the UI too; their notices go to the status line.
  let closeIntegrations: (() => Promise<void>) | undefined;
  if (config.streaming.alerts.length) {
    const { attachIntegrations } = await import("../sinks/integrations.ts");
    closeIntegrations = await attachIntegrations(manager, {
      config,
      debug: ctx.debug,
      warn: (m) => app.notify(m, true),
      notice: (m) => app.notify(m),
    });
  }
  // With persistence on, what the panes stream is saved to the history directory, as
  // `s9s stream` does, so it shows in `s9s history list`.
  let closeHistory: (() => Promise<void>) | undefined;
  const persistence = config.streaming.persistence;
  if (persistence.enabled && persistence.auto_save) {
    try {
      const { attachRecorders } = await import("../persist/attach.ts");
      closeHistory = await attachRecorders(manager, {
        config,
        debug: ctx.debug,
        warn: (m) => app.notify(m, true),
      });
    } catch (err) {
      app.notify(`stream history is off: ${(err as Error).message}`, true);
    }
  }
  const onSignal = () => app.quit();
  const signals: Deno.Signal[] = ["SIGTERM", "SIGHUP"];
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  const onRejection = (e: PromiseRejectionEvent) => {
    // A stray async failure goes to the status line instead of killing the UI.
    e.preventDefault();
    app.fail(e.reason);
  };
  globalThis.addEventListener("unhandledrejection", onRejection);
  try {
    await app.run();
  } finally {
    app.shutdown();
    globalThis.removeEventListener("unhandledrejection", onRejection);
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
    manager.close();
    await closeHistory?.();
    await closeIntegrations?.();
    cluster?.close();
  }
}
