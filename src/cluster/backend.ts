/**
 * Choosing the cluster backend: the mock, the Slurm commands, or slurmrestd.
 * @module
 */
import type { Config } from "../config/schema.ts";
import { UserFacingError } from "../errors.ts";
import { which } from "../platform/which.ts";

export { which } from "../platform/which.ts";
import type { ClusterBackend } from "./job.ts";
import { MockCluster } from "./mock.ts";
import { SlurmCliBackend } from "./slurm_cli.ts";
import { SlurmRestBackend } from "./slurm_rest.ts";

/** Which backend to use; "auto" picks slurmrestd when enabled, else the commands. */
export type BackendChoice = "auto" | "cli" | "rest" | "mock";

/** Options for {@link openBackend}. */
export interface OpenBackendOptions {
  /** Time factor of the mock cluster (tests). */
  mockSpeed?: number;
}

/**
 * Open the backend `choice` (default: `cluster.backend` from the config). With "auto":
 * slurmrestd when `streaming.slurm_api.enabled`, else the Slurm commands when `scontrol` is on
 * PATH, else undefined — the caller decides (offer the mock, or fail).
 */
export async function openBackend(
  config: Config,
  choice?: BackendChoice,
  opts: OpenBackendOptions = {},
): Promise<ClusterBackend | undefined> {
  switch (choice ?? config.cluster.backend) {
    case "mock":
      return MockCluster.start({ speed: opts.mockSpeed });
    case "rest":
      return openRest(config);
    case "cli":
      return await openCli();
    case "auto":
      if (config.streaming.slurm_api.enabled) return openRest(config);
      return (await which("scontrol")) ? new SlurmCliBackend() : undefined;
  }
}

function openRest(config: Config): ClusterBackend {
  // Neither url nor socket: the default socket or port (rest_target.ts), as the guide promises.
  return SlurmRestBackend.fromConfig(config);
}

async function openCli(): Promise<ClusterBackend> {
  for (const cmd of ["scontrol", "squeue"]) {
    if (!(await which(cmd))) {
      throw new UserFacingError(
        `the Slurm commands are not available: "${cmd}" not found on PATH`,
        {
          hint: "install the Slurm client commands, use --mock to try s9s without Slurm, or set " +
            "streaming.slurm_api.url/socket to use slurmrestd",
        },
      );
    }
  }
  return new SlurmCliBackend();
}
