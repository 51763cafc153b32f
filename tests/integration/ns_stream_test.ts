/**
 * Node-local output on the namespace cluster (scripts/ns_cluster.sh): a job's /tmp is private to
 * its node, so `s9s stream --job N` alone hands the stream over to SSH on the job's BatchHost.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { S9sProcess, testEnv } from "../_helpers/cli.ts";
import { nodeFile, nsCluster, nsRun, nsSbatch } from "../_helpers/ns_cluster.ts";

const ns = await nsCluster();

async function home(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "s9s-ns-home-" });
  await Deno.writeTextFile(
    `${dir}/config.yaml`,
    [
      "streaming:",
      "  ssh:",
      `    key_file: ${ns!.key}`,
      `    known_hosts: ${ns!.knownHosts}`,
      "    user: root",
      "    host_key_checking: strict",
      "  persistence:",
      "    enabled: false",
      "",
    ].join("\n"),
  );
  return dir;
}

async function streamJob(jobId: string, node: string): Promise<Record<string, unknown>[]> {
  const dir = await home();
  try {
    const p = new S9sProcess(
      [
        "stream",
        "--job",
        jobId,
        "--type",
        "stdout",
        "-o",
        "json",
        "--events",
        "--config",
        `${dir}/config.yaml`,
      ],
      { env: testEnv(dir, { SLURM_CONF: ns!.slurmConf }) },
    );
    const st = await p.finished();
    assertEquals(st.code, 0, p.stderr);
    const out = await nodeFile(ns!, node, `/tmp/job_${jobId}.out`);
    assert(out.includes("last"), `the job wrote its file on ${node}`);
    return p.json();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "stream --job follows a job's node-local /tmp output on node002 over SSH until it ends",
  ignore: !ns,
  async fn() {
    const id = await nsSbatch(
      ns!,
      ["-w", "node002", "-o", "/tmp/job_%j.out"],
      `for i in $(seq 1 50); do echo "n2 line $i"; sleep 0.05; done; echo last`,
    );
    try {
      assert(!(await Deno.stat(`/tmp/job_${id}.out`).catch(() => null)), "not visible here");
      const evs = await streamJob(id, "node002");
      const lines = evs.filter((e) => e.type === "stdout");
      assertEquals(lines.map((e) => e.content), [
        ...Array.from({ length: 50 }, (_, i) => `n2 line ${i + 1}`),
        "last",
      ]);
      assert(lines.every((e) => e.source === "ssh"), "read over SSH");
      assertEquals(lines.map((e) => e.line_num), lines.map((_, i) => i + 1));
    } finally {
      await nsRun(ns!, ["scancel", id]);
    }
  },
});

Deno.test({
  name: "stream --job of a two-node job follows its output on the first node",
  ignore: !ns,
  async fn() {
    const id = await nsSbatch(
      ns!,
      ["-N", "2", "-o", "/tmp/job_%j.out"],
      `srun -l hostname | sort; for i in 1 2 3; do echo "multi $i"; sleep 0.2; done; echo last`,
    );
    try {
      const evs = await streamJob(id, "node001");
      const lines = evs.filter((e) => e.type === "stdout").map((e) => e.content);
      assertEquals(lines, ["0: node001", "1: node002", "multi 1", "multi 2", "multi 3", "last"]);
    } finally {
      await nsRun(ns!, ["scancel", id]);
    }
  },
});
