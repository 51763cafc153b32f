/**
 * The namespace cluster (scripts/ns_cluster.sh) for integration tests: started once per test
 * file when running as root; `null` when not root (tests are then ignored). Under CI=true a
 * failed start throws, so a broken setup is a failure rather than a skip.
 * @module
 */
import { ROOT } from "./cli.ts";

/** What the tests need to know about the namespace cluster. */
export interface NsCluster {
  /** SLURM_CONF of the namespace cluster (its own slurmctld, ports and ClusterName). */
  slurmConf: string;
  /** Private key authorised for root and `user` on every node. */
  key: string;
  /** known_hosts with every node's host key (names and addresses). */
  knownHosts: string;
  /** Unprivileged user that exists on the nodes, for ssh. */
  user: string;
  nodes: string[];
  addrs: string[];
  /** Pid and log directories (sshd-NODE.pid, slurmd-NODE.pid, sshd-NODE.log). */
  run: string;
  logs: string;
}

async function sh(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command("bash", {
    args,
    cwd: ROOT,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Start (idempotently) and describe the namespace cluster, or null when not root. */
export async function nsCluster(): Promise<NsCluster | null> {
  if (Deno.uid() !== 0) return null;
  const start = await sh(["scripts/ns_cluster.sh", "start"]);
  if (start.code !== 0) {
    if (Deno.env.get("CI") === "true") {
      throw new Error(`scripts/ns_cluster.sh start failed:\n${start.stderr}`);
    }
    console.error(`ns cluster did not start; its tests are skipped:\n${start.stderr}`);
    return null;
  }
  const e: Record<string, string> = {};
  for (const line of (await sh(["scripts/ns_cluster.sh", "env"])).stdout.split("\n")) {
    const m = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) e[m[1]] = m[2];
  }
  return {
    slurmConf: e.S9S_NS_SLURM_CONF,
    key: e.S9S_NS_KEY,
    knownHosts: e.S9S_NS_KNOWN_HOSTS,
    user: e.S9S_NS_USER,
    nodes: e.S9S_NS_NODES.split(","),
    addrs: e.S9S_NS_ADDRS.split(","),
    run: e.S9S_NS_RUN,
    logs: e.S9S_NS_LOGS,
  };
}

/** Run a command with the namespace cluster's SLURM_CONF. */
export async function nsRun(
  ns: NsCluster,
  cmd: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    env: { SLURM_CONF: ns.slurmConf },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** The PATH test jobs run with: the system's, never the caller's (see {@link nsSbatch}). */
export const JOB_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * Submit a batch job to the namespace cluster; resolves with its id. The job starts in `/`
 * unless args say otherwise: the caller's directory may be under /tmp, which the nodes' private
 * /tmp does not have (slurmstepd would then print a chdir error into the job's output). For the
 * same reason it gets a PATH of its own: sbatch passes the caller's, which may name only
 * directories under /tmp (a deno or coreutils there); a job that could not find `sleep` spun in
 * its wait loop and wrote 1.4 M lines.
 */
export async function nsSbatch(ns: NsCluster, args: string[], script: string): Promise<string> {
  const chdir = args.some((a) => a === "-D" || a.startsWith("--chdir")) ? [] : ["--chdir=/"];
  const path = args.some((a) => a.startsWith("--export")) ? [] : [`--export=ALL,PATH=${JOB_PATH}`];
  const r = await nsRun(ns, [
    "sbatch",
    "--parsable",
    ...chdir,
    ...path,
    ...args,
    "--wrap",
    script,
  ]);
  if (r.code !== 0) throw new Error(`sbatch failed: ${r.stderr}`);
  return r.stdout.trim().split(";")[0];
}

/** Read a file inside a node's private mount namespace. */
export async function nodeFile(ns: NsCluster, node: string, path: string): Promise<string> {
  const pid = (await Deno.readTextFile(`${ns.run}/slurmd-${node}.pid`)).trim();
  const r = await new Deno.Command("nsenter", {
    args: ["-t", pid, "-m", "cat", path],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return new TextDecoder().decode(r.stdout);
}

/** Stop or start the namespace cluster's slurmctld alone (a controller outage; jobs run on). */
export async function nsCtld(_ns: NsCluster, action: "stop" | "start"): Promise<void> {
  const r = await sh(["scripts/ns_cluster.sh", `${action}-ctld`]);
  if (r.code !== 0) throw new Error(`ns_cluster.sh ${action}-ctld failed:\n${r.stderr}`);
}
