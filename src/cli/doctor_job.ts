/**
 * The checks of `s9s doctor --job N` / `--node NODE`: where the job's output is, whether it can be
 * read here or only on its node, and whether that node answers over each SSH transport.
 * @module
 */
import type { Config } from "../config/schema.ts";
import type { ClusterBackend } from "../cluster/job.ts";
import type { JobInfo } from "../cluster/job.ts";
import { resolveOutput } from "../cluster/path_resolver.ts";
import type { StreamType } from "../core/stream_event.ts";
import { UserFacingError } from "../errors.ts";
import { type RemoteShell, shQuote } from "../sources/remote_shell.ts";
import { chooseTransport, openRemoteShell } from "../sources/ssh_transport.ts";
import type { Check } from "./doctor_checks.ts";

/** A file of the job, to be looked at on its node when it is not readable here. */
export interface RemoteFile {
  type: StreamType;
  path: string;
}

/** The job's resolved output files: one row each, and those only its node can read. */
export async function jobOutput(
  cluster: ClusterBackend | undefined,
  id: string,
  config: Config,
): Promise<{ checks: Check[]; node?: string; remote: RemoteFile[] }> {
  if (!cluster) {
    return {
      checks: [{
        name: `job ${id}`,
        mark: "fail",
        detail: "no Slurm cluster to ask (neither Slurm's commands nor streaming.slurm_api)",
        hint: "run on a login node, or configure streaming.slurm_api",
      }],
      remote: [],
    };
  }
  const infos: JobInfo[] = await cluster.getJob(id);
  const job = infos[0];
  if (!job) {
    return {
      checks: [{
        name: `job ${id}`,
        mark: "fail",
        detail: "not known to the cluster",
        hint: "check the id with `s9s jobs`; finished jobs are purged after MinJobAge",
      }],
      remote: [],
    };
  }
  const checks: Check[] = [{
    name: `job ${id}`,
    mark: "ok",
    detail: `state ${job.state}, BatchHost ${job.batchHost ?? "-"}`,
  }];
  const remote: RemoteFile[] = [];
  const seen = new Set<string>();
  for (const type of ["stdout", "stderr"] as const) {
    const res = await resolveOutput(job.id, job, type, config.streaming);
    const loc = res.location;
    const name = `${type} path`;
    if (!loc) {
      checks.push({
        name,
        mark: "fail",
        detail: "no file found",
        hint: `see how it was looked for: s9s stream --job ${id} --explain`,
      });
      continue;
    }
    if (seen.has(loc.path)) {
      checks.push({ name, mark: "ok", detail: `${loc.path} (the same file as stdout)` });
      continue;
    }
    seen.add(loc.path);
    const here = await readableHere(loc.path);
    if (here === true) {
      checks.push({ name, mark: "ok", detail: `${loc.path}: readable here` });
    } else if (here === "missing" && job.state === "PENDING") {
      checks.push({
        name,
        mark: "skip",
        detail: `${loc.path}: not written yet (the job is pending)`,
      });
    } else if (here === "missing" && job.batchHost) {
      remote.push({ type, path: loc.path });
      checks.push({
        name,
        mark: "ok",
        detail: `${loc.path}: not on this host; node-local on ${job.batchHost}, read over SSH`,
      });
    } else {
      checks.push({
        name,
        mark: "fail",
        detail: `${loc.path}: ${here === "missing" ? "not there (yet)" : here}`,
        hint: here === "missing"
          ? "a pending job has no output yet; else check the job's --output"
          : "s9s reads job output with your permissions: ask the job's owner, or check the directory's mode",
      });
    }
  }
  return { checks, node: job.batchHost, remote };
}

/** true, "missing", or why it cannot be read. */
async function readableHere(path: string): Promise<true | "missing" | string> {
  try {
    const f = await Deno.open(path, { read: true });
    f.close();
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return "missing";
    if (err instanceof Deno.errors.PermissionDenied) return "permission denied";
    return (err as Error).message;
  }
}

/**
 * One row per transport: does `node` answer, and can the job's node-local files be read there?
 * Each attempt is bounded by streaming.ssh.timeout (the caller's deadline covers the rest).
 */
export async function nodeOverSsh(
  config: Config,
  node: string,
  files: RemoteFile[],
): Promise<Check[]> {
  const transports = ["openssh", "builtin"] as const;
  return await Promise.all(transports.map(async (t): Promise<Check> => {
    const name = `ssh ${node} (${t})`;
    let choice;
    try {
      choice = await chooseTransport(t);
    } catch (err) {
      return { name, mark: "skip", detail: (err as Error).message };
    }
    const ssh = { ...config.streaming.ssh, retry_attempts: 0 };
    let shell: RemoteShell | undefined;
    try {
      shell = await openRemoteShell(ssh, choice);
      const tests = files.map((f) => `test -r ${shQuote(f.path)} || echo ${f.type}`).join("; ");
      const r = await shell.run(node, tests || "true");
      const unreadable = r.stdout.trim().split(/\s+/).filter(Boolean);
      if (r.code !== 0 && !unreadable.length) {
        return { name, mark: "fail", detail: `a command failed there: ${r.stderr.trim()}` };
      }
      if (unreadable.length) {
        return {
          name,
          mark: "fail",
          detail: `reachable, but ${unreadable.join(" and ")} cannot be read there`,
          hint: "the file is not there yet, or its directory is not readable for the SSH user",
        };
      }
      return {
        name,
        mark: "ok",
        detail: files.length ? "reachable; the job's output is readable there" : "reachable",
      };
    } catch (err) {
      return {
        name,
        mark: "fail",
        detail: (err as Error).message,
        hint: err instanceof UserFacingError ? err.hint : `test it with \`ssh ${node} true\``,
      };
    } finally {
      shell?.close();
    }
  }));
}
