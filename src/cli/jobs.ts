/**
 * `s9s jobs`: list the cluster's jobs.
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { outputFormatOption } from "./output_format_option.ts";
import { UsageError } from "../errors.ts";
import { formatJobTable, jobJson } from "../cluster/job_table.ts";
import { JOB_STATES } from "../cluster/job.ts";
import { didYouMean } from "../core/did_you_mean.ts";
import { stdoutOut } from "./output.ts";
import { type GlobalFlags, makeContext, openCluster } from "./common.ts";

/** Build the `jobs` subcommand. */
export function jobsCommand(globals: () => GlobalFlags) {
  return new Command("jobs")
    .description("list jobs (running, pending and recently finished)")
    .option("-s, --state <states>", "only these states, comma-separated (e.g. RUNNING,PENDING)")
    .option("-u, --user <user>", "only this user's jobs")
    .addOption(outputFormatOption())
    .action(async (opts) => {
      const states = opts.state?.split(",").map((s) => s.trim().toUpperCase()).filter(Boolean);
      checkStates(states ?? []);
      const flags = globals();
      const ctx = await makeContext(flags);
      const cluster = await openCluster(flags, ctx);
      if (!cluster) {
        throw new UsageError(
          "no Slurm cluster found: neither Slurm's commands nor streaming.slurm_api are available",
          {
            hint: "run on a login node, configure streaming.slurm_api (slurmrestd), or try --mock",
          },
        );
      }
      try {
        const jobs = await cluster.listJobs({
          states,
          user: opts.user,
        });
        if (opts.outputFormat === "json") {
          await stdoutOut.write(JSON.stringify(jobs.map((j) => jobJson(j)), null, 2) + "\n");
        } else {
          await stdoutOut.write(formatJobTable(jobs));
        }
      } finally {
        cluster.close();
      }
    });
}

/** Refuse a state Slurm never reports: filtering by it would always list nothing. */
function checkStates(states: string[]): void {
  for (const s of states) {
    if (JOB_STATES.includes(s)) continue;
    const guess = didYouMean(s, [...JOB_STATES]);
    throw new UsageError(`--state: unknown job state "${s}"`, {
      hint: guess ? `did you mean "${guess}"?` : `the states are ${JOB_STATES.join(", ")}`,
    });
  }
}
