/**
 * What every subcommand shares: global flags → loaded config, debug log, cluster backend.
 * @module
 */
import { loadConfig, type LoadedConfig } from "../config/load.ts";
import type { RawConfig } from "../config/defaults.ts";
import type { ClusterBackend } from "../cluster/job.ts";
import { debugFromEnv, type DebugLog, NO_DEBUG, openDebugLog } from "../core/debug_log.ts";
import { UsageError } from "../errors.ts";

/** Flags every command accepts. */
export interface GlobalFlags {
  config?: string;
  debug?: boolean;
  mock?: boolean;
  clusterApi?: string;
  /** --ssh-transport: overrides streaming.ssh.transport. */
  sshTransport?: string;
}

/** The shared context of a command run. */
export interface Context {
  loaded: LoadedConfig;
  debug: DebugLog;
  debugEnabled: boolean;
}

/** Load config and debug log for a command. */
export async function makeContext(flags: GlobalFlags, overrides?: RawConfig): Promise<Context> {
  const debugEnabled = !!flags.debug || debugFromEnv();
  if (flags.sshTransport) {
    const streaming = (overrides?.streaming ?? {}) as RawConfig;
    const ssh = { ...(streaming.ssh as RawConfig), transport: flags.sshTransport };
    overrides = { ...overrides, streaming: { ...streaming, ssh } };
  }
  const loaded = await loadConfig({ file: flags.config, overrides, cache: true });
  const debug = debugEnabled ? openDebugLog() : NO_DEBUG;
  debug.log("CONFIG", `loaded ${loaded.file ?? "(defaults)"}`);
  return { loaded, debug, debugEnabled };
}

/**
 * Where a key's value came from ("file c.yaml line 3", "env S9S_…"), for messages about it.
 * Loads the configuration again (uncached): only for the rare message that needs it.
 */
export async function keyOrigin(flags: GlobalFlags, key: string): Promise<string | undefined> {
  const [{ describeOrigin }, loaded] = await Promise.all([
    import("../config/origins.ts"),
    loadConfig({ file: flags.config, origins: true }),
  ]);
  const o = loaded.origins?.get(key);
  return o && o.from !== "default" ? describeOrigin(o) : undefined;
}

/** Refuse to stream when `streaming.enabled` is false (exit 2, saying where it was set). */
export async function checkStreamingEnabled(flags: GlobalFlags, ctx: Context): Promise<void> {
  if (ctx.loaded.config.streaming.enabled) return;
  const { streamingOff } = await import("../config/streaming_off.ts");
  const { message, hint } = streamingOff(await keyOrigin(flags, "streaming.enabled"));
  throw new UsageError(message, { hint });
}

/** Which cluster backend the flags and config ask for. */
export function backendChoice(flags: GlobalFlags, ctx: Context): "auto" | "cli" | "rest" | "mock" {
  if (flags.mock) return "mock";
  const c = flags.clusterApi ?? ctx.loaded.config.cluster.backend;
  if (!["auto", "cli", "rest", "mock"].includes(c)) {
    throw new UsageError(`--cluster-api must be one of auto, cli, rest, mock; got "${c}"`);
  }
  return c as "auto" | "cli" | "rest" | "mock";
}

/** Open the cluster backend (lazily imports the implementations). */
export async function openCluster(
  flags: GlobalFlags,
  ctx: Context,
): Promise<ClusterBackend | undefined> {
  const choice = backendChoice(flags, ctx);
  if (choice === "mock") {
    const { MockCluster } = await import("../cluster/mock.ts");
    return MockCluster.start();
  }
  const { openBackend } = await import("../cluster/backend.ts");
  return await openBackend(ctx.loaded.config, choice);
}

/** Parse a positive integer flag or fail with a usage error naming it. */
export function intFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) {
    const abs = /^[-+]\d+$/.exec(value) ? value.slice(1) : undefined;
    throw new UsageError(`${name} expects a whole number ≥ 0, got "${value}"`, {
      hint: abs !== undefined
        ? `counts have no sign: ${name} ${abs}`
        : `give a count, e.g. ${name} 10`,
    });
  }
  return Number(value);
}
