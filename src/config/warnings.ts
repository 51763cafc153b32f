/**
 * Settings that are valid but do not do what their name promises: `s9s config validate` prints
 * them as warnings.
 * @module
 */
import { parse } from "yaml";

/** Warnings for a config file's text (empty when there is nothing to say). */
export function configWarnings(text: string | undefined): string[] {
  if (!text) return [];
  let doc: unknown;
  try {
    doc = parse(text);
  } catch {
    return [];
  }
  const api = (doc as { streaming?: { slurm_api?: Record<string, unknown> } })?.streaming
    ?.slurm_api;
  const out: string[] = [];
  if (api && "endpoint" in api) {
    out.push(
      `streaming.slurm_api.endpoint is not used: slurmrestd (up to v0.0.43) has no endpoint that ` +
        `returns a job's output; s9s reads output from files, over SSH, or from running srun ` +
        `steps with sattach (--source api)`,
    );
  }
  return out;
}
