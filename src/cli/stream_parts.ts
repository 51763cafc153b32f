/**
 * The parts a face gives the engine's pipeline besides its output: the integrations (metrics,
 * syslog, alerts) and the recorders (`--save`, history). Shared by `s9s stream` and the TUI;
 * each is imported only when something asks for it, so a plain stream starts without them.
 * @module
 */
import type { Config } from "../config/schema.ts";
import type { DebugLog } from "../core/debug_log.ts";
import type { Part } from "../engine/pipeline.ts";

/** What the parts report through (stderr for `s9s stream`, the status line in the TUI). */
export interface PartReports {
  config: Config;
  debug: DebugLog;
  /** One-line runtime warnings. */
  warn: (message: string) => void;
}

/** Metrics (`--export-metrics`), syslog (`--forward`) and the configured alerts. */
export function integrationsPart(
  o: PartReports & { exportMetrics?: string; forward?: string[]; notice?: (m: string) => void },
): Part {
  return async (manager) => {
    if (!o.exportMetrics && !o.forward?.length && !o.config.streaming.alerts.length) return;
    const { attachIntegrations } = await import("../sinks/integrations.ts");
    return await attachIntegrations(manager, o);
  };
}

/**
 * `--save FILE` and the history recorder (`persistence.enabled` and `auto_save`). Not saving
 * when --save asked for it is an error, whatever the failure; history alone is best effort, but
 * never silent: `unavailable` says why it is off.
 */
export function recordersPart(
  o: PartReports & { save?: string; unavailable: (err: Error) => void },
): Part {
  return async (manager) => {
    const p = o.config.streaming.persistence;
    if (!o.save && !(p.enabled && p.auto_save)) return;
    try {
      const { attachRecorders } = await import("../persist/attach.ts");
      return await attachRecorders(manager, o);
    } catch (err) {
      if (o.save) throw err;
      o.debug.log("STREAM", `persistence unavailable: ${(err as Error).stack ?? err}`);
      o.unavailable(err as Error);
    }
  };
}
