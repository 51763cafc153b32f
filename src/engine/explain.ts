/**
 * `--explain`: for each target, what the cluster says of it and every candidate output path tried
 * for each stream type, with the one that is used — as lines of text for a face to print.
 * @module
 */
import type { ClusterBackend, JobInfo } from "../cluster/job.ts";
import { type Resolution, resolveOutput } from "../cluster/path_resolver.ts";
import type { StreamingConfig } from "../config/schema.ts";
import type { StreamType } from "../core/stream_event.ts";
import { type StreamTarget, targetId } from "../core/stream_target.ts";
import { explainParts } from "./job_parts.ts";

/** The explanation of how each target's output is found, one line per entry. */
export async function explainTargets(
  targets: StreamTarget[],
  types: StreamType[],
  o: { config: StreamingConfig; cluster?: ClusterBackend },
): Promise<string[]> {
  const out: string[] = [];
  for (const t of targets) {
    const id = targetId(t);
    if (t.kind === "step") {
      out.push(`${t.kind} ${id}: read through sattach (Slurm forwards its I/O; no files)`);
      continue;
    }
    const infos = o.cluster && t.kind === "job" ? await o.cluster.getJob(id) : [];
    out.push(
      t.kind === "file"
        ? `file ${id}:`
        : `job ${id}: ${
          infos.length
            ? `${infos.length} record(s) from the ${o.cluster!.name} backend`
            : "not known to the cluster"
        }`,
    );
    for (const job of infos.length ? infos : [undefined]) {
      if (job) out.push(`  ${job.id}: ${jobLine(job)}`);
      for (const type of types) {
        const parts = job && t.kind === "job"
          ? await explainParts(job, type, { config: o.config, options: t, cluster: o.cluster })
          : undefined;
        if (parts) {
          out.push(`  ${type}: one file per task or node`, ...parts);
          continue;
        }
        const res = await resolveOutput(job?.id ?? id, job, type, o.config, {
          pathOverride: t.path,
          stderrPathOverride: t.stderrPath,
        });
        out.push(`  ${type}:`, ...resolutionLines(res));
      }
    }
  }
  return out;
}

function jobLine(job: JobInfo): string {
  return `state ${job.state}, StdOut=${job.stdout ?? "-"} StdErr=${job.stderr ?? "-"} WorkDir=${
    job.workDir ?? "-"
  } BatchHost=${job.batchHost ?? "-"}`;
}

function resolutionLines(res: Resolution): string[] {
  const lines = res.candidates.map((c) =>
    `    ${c.exists ? "found  " : "missing"} ${c.path}  [${c.from}]${c.note ? ` — ${c.note}` : ""}`
  );
  const loc = res.location;
  lines.push(
    `    => ${
      loc ? `${loc.path}${loc.exists ? "" : " (not there yet; will wait for it)"}` : "no file found"
    }`,
  );
  return lines;
}
