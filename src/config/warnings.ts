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
  config.streaming.filters.forEach((f, i) => {
    const key = `streaming.filters.${i} ("${f.name}")`;
    if (f.action === "highlight" && f.highlight === false) {
      out.push(
        `${key} does nothing: a highlight filter with highlight: false neither colors nor ` +
          `selects lines; remove it, or set action: include to keep only its lines`,
      );
    } else if (f.action === "exclude" && f.highlight === true) {
      out.push(`${key}: highlight has no effect on an exclude filter (its lines are not shown)`);
    }
  });
  return out;
}
