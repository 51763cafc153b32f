/**
 * The debug log, `~/.s9s/debug.log`, enabled by --debug or S9S_STREAMING_DEBUG=true. Lines are
 * tagged by area (STREAM, CLUSTER, CONFIG) so `grep STREAM` finds the streaming ones.
 * @module
 */
import { dirname } from "../platform/posix_path.ts";
import { s9sDir } from "../platform/paths.ts";
import { writeAllSync } from "../platform/write_all.ts";

/** A tagged logger; a no-op when debugging is off. */
export interface DebugLog {
  readonly enabled: boolean;
  log(tag: string, message: string): void;
}

const enc = new TextEncoder();

/** A logger that does nothing. */
export const NO_DEBUG: DebugLog = { enabled: false, log() {} };

/** Open the debug log (appending). Failures to write never break streaming. */
export function openDebugLog(path = `${s9sDir()}/debug.log`): DebugLog {
  let file: Deno.FsFile | undefined;
  try {
    Deno.mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    file = Deno.openSync(path, { create: true, append: true, mode: 0o600 });
  } catch {
    return NO_DEBUG;
  }
  return {
    enabled: true,
    log(tag: string, message: string) {
      try {
        writeAllSync(
          file!,
          enc.encode(`${new Date().toISOString()} ${tag} [${Deno.pid}] ${message}\n`),
        );
      } catch { /* disk full: stay quiet */ }
    },
  };
}

/** Whether the environment asks for streaming debug output. */
export function debugFromEnv(
  env: Record<string, string | undefined> = Deno.env.toObject(),
): boolean {
  const v = (env.S9S_STREAMING_DEBUG ?? env.S9S_DEBUG ?? "").toLowerCase();
  return v === "1" || v === "true" || v === "yes";
}
