/**
 * How often job states are asked for: `streaming.slurm_api.poll_interval` when the cluster is
 * reached through slurmrestd, else `cluster.poll_interval` (the Slurm commands, the mock).
 * @module
 */
import type { Config } from "./schema.ts";

/** The poll interval in ms for a cluster backend named `backend` ("rest", "cli", "mock"). */
export function statePollMs(config: Config, backend: string | undefined): number {
  return backend === "rest"
    ? config.streaming.slurm_api.poll_interval
    : config.cluster.poll_interval;
}
