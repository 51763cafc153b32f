/**
 * `s9s jobs`: list the cluster's jobs.
 * @module
 */
import { Command, Option } from "@commander-js/extra-typings";
import { UsageError } from "../errors.ts";
import { formatDuration } from "../config/units.ts";
import type { JobInfo } from "../cluster/job.ts";
import { stdoutOut } from "../sinks/writer.ts";
import { type GlobalFlags, makeContext, openCluster } from "./common.ts";

/** Build the `jobs` subcommand. */
export function jobsCommand(globals: () => GlobalFlags) {
  return new Command("jobs")
    .description("list jobs (running, pending and recently finished)")
    .option("-s, --state <states>", "only these states, comma-separated (e.g. RUNNING,PENDING)")
    .option("-u, --user <user>", "only this user's jobs")
    .addOption(
      new Option("-o, --output-format <format>", "text or json").choices(["text", "json"]).default("text"),
    )
    .action(async (opts) => {
      const flags = globals();
      const ctx = await makeContext(flags);
      const cluster = await openCluster(flags, ctx);
      if (!cluster) {
        throw new UsageError("no Slurm cluster found: neither Slurm's commands nor streaming.slurm_api are available", {
          hint: "run on a login node, configure streaming.slurm_api (slurmrestd), or try --mock",
        });
      }
      try {
        const jobs = await cluster.listJobs({
          states: opts.state?.split(",").map((s) => s.trim()).filter(Boolean),
          user: opts.user,
        });
        if (opts.outputFormat === "json") {
          await stdoutOut.write(JSON.stringify(jobs.map(jobJson), null, 2) + "\n");
        } else {
          await stdoutOut.write(formatJobTable(jobs));
        }
      } finally {
        cluster.close();
      }
    });
}

/** A job as printed by `s9s jobs --output-format json`. */
export function jobJson(j: JobInfo): Record<string, unknown> {
  return {
    job_id: j.id,
    name: j.name,
    user: j.user,
    state: j.state,
    reason: j.reason ?? null,
    partition: j.partition ?? null,
    nodes: j.nodeList ?? null,
    exit_code: j.exitCode ?? null,
    work_dir: j.workDir ?? null,
    stdout: j.stdout ?? null,
    stderr: j.stderr ?? null,
    submit_time: j.submitTime ? new Date(j.submitTime).toISOString() : null,
    start_time: j.startTime ? new Date(j.startTime).toISOString() : null,
    end_time: j.endTime ? new Date(j.endTime).toISOString() : null,
    elapsed_seconds: elapsedMs(j) === undefined ? null : Math.floor(elapsedMs(j)! / 1000),
  };
}

/** Time the job has run (or ran). */
export function elapsedMs(j: JobInfo, now = Date.now()): number | undefined {
  if (!j.startTime) return undefined;
  return (j.endTime && j.endTime < now ? j.endTime : now) - j.startTime;
}

/** The jobs as an aligned table. */
export function formatJobTable(jobs: JobInfo[]): string {
  const rows = [["JOBID", "NAME", "USER", "STATE", "ELAPSED", "NODES"]];
  for (const j of jobs) {
    const el = elapsedMs(j);
    rows.push([
      j.id,
      j.name,
      j.user,
      j.state,
      el === undefined ? "-" : formatDuration(el),
      j.nodeList || (j.reason ? `(${j.reason})` : "-"),
    ]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((v, c) => v.padEnd(widths[c])).join("  ").trimEnd()).join("\n") + "\n";
}
