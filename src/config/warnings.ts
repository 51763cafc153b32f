/**
 * Settings that are valid but not used as written: `s9s config validate` prints them as
 * warnings. A value `s9s config show` prints by itself is never one of them.
 * @module
 */
import type { Config } from "./schema.ts";
import { endpointWarning } from "./slurm_api.ts";

/** Warnings for a validated configuration (empty when there is nothing to say). */
export function configWarnings(config: Config): string[] {
  const out: string[] = [];
  const endpoint = endpointWarning(config.streaming.slurm_api.endpoint);
  if (endpoint) out.push(endpoint);
  return out;
}
