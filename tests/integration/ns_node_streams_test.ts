/**
 * Per-node files of a 2-node job on the namespace cluster (scripts/ns_cluster.sh): each node
 * writes `/tmp/part-JOB-NODE.txt` in its own private /tmp, and `--path '/tmp/part-%j-%N.txt'`
 * follows each file on its node over SSH, as a stream of its own, exactly, to the job's end.
 */
import { assert, assertEquals, assertStringIncludes, waitFor } from "../_helpers/assert.ts";
import { runS9s, S9sProcess, testEnv } from "../_helpers/cli.ts";
import { validateEvent } from "../_helpers/schema.ts";
import { nodeFile, nsCluster, nsRun, nsSbatch } from "../_helpers/ns_cluster.ts";

const ns = await nsCluster();

async function onNode(node: string, script: string): Promise<void> {
  const pid = (await Deno.readTextFile(`${ns!.run}/slurmd-${node}.pid`)).trim();
  const r = await new Deno.Command("nsenter", { args: ["-t", pid, "-m", "sh", "-c", script] })
    .output();
  assert(r.success, `on ${node}: ${script}`);
}

interface Ev {
  type: string;
  content: string;
  line_num: number;
  node?: string;
  source: string;
  state?: string;
}

Deno.test({
  name: "stream --path with %N follows each node's own file of a 2-node job over SSH, exactly",
  ignore: !ns,
  async fn() {
    const go = `/tmp/s9s-go-${crypto.randomUUID().slice(0, 8)}`;
    const n = 100;
    const id = await nsSbatch(
      ns!,
      ["-N", "2", "-o", "/dev/null"],
      `while [ ! -e ${go} ]; do sleep 0.1; done; srun -o /tmp/part-%j-%N.txt bash -c 'for i in $(seq 1 ${n}); do echo "$(hostname) l$i"; done'`,
    );
    const home = await Deno.makeTempDir({ prefix: "s9s-ns-parts-" });
    try {
      await Deno.writeTextFile(
        `${home}/config.yaml`,
        [
          "cluster:",
          "  poll_interval: 500ms",
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
      const env = testEnv(home, { SLURM_CONF: ns!.slurmConf });
      const args = ["stream", "--config", `${home}/config.yaml`, "--job", id, "--path"];
      const p = new S9sProcess([...args, "/tmp/part-%j-%N.txt", "-o", "json", "--events"], { env });
      // Both nodes' files are watched before they exist; then the step creates and writes them.
      await waitFor(
        () =>
          new Set(p.json<Ev>().filter((e) => e.state === "waiting").map((e) => e.content)).size ===
            2,
        { timeout: 120_000, what: `both node files awaited; ${p.stderr} ${p.lines.join("\n")}` },
      );
      await onNode("node001", `touch ${go}`);
      const st = await p.finished();
      assertEquals(st.code, 0, p.stderr);
      const evs = p.json<Ev>().filter((e) => e.type === "stdout");
      for (const node of ns!.nodes) {
        const mine = evs.filter((e) => e.node === node);
        assertEquals(
          mine.map((e) => e.content),
          Array.from({ length: n }, (_, i) => `${node} l${i + 1}`),
        );
        assertEquals(mine.map((e) => e.line_num), mine.map((_, i) => i + 1));
        assert(mine.every((e) => e.source === "ssh"), `${node}'s file read over SSH`);
        assertEquals(
          (await nodeFile(ns!, node, `/tmp/part-${id}-${node}.txt`)).split("\n").length,
          n + 1,
        );
      }
      assertEquals(evs.length, 2 * n);
      for (const e of p.json()) assertEquals(validateEvent(e), [], JSON.stringify(e));
      const text = await runS9s([...args, "/tmp/part-%j-%N.txt"], { env });
      assertEquals(text.code, 0, text.stderr);
      const lines = text.stdout.split("\n").filter(Boolean);
      for (const node of ns!.nodes) {
        assertEquals(
          lines.filter((l) => l.startsWith(`[${id} ${node}:stdout] `)),
          Array.from({ length: n }, (_, i) => `[${id} ${node}:stdout] ${node} l${i + 1}`),
        );
      }
      const ex = await runS9s([...args, "/tmp/part-%j-%N.txt", "--explain"], { env });
      assertStringIncludes(
        ex.stdout,
        "    /tmp/part-%j-%N.txt: 2 file(s), for 2 task(s) on node[001-002]\n",
      );
      assertStringIncludes(
        ex.stdout,
        `    node002: missing /tmp/part-${id}-node002.txt — on node002, not visible here: read there over SSH\n`,
      );
    } finally {
      await nsRun(ns!, ["scancel", id]);
      await onNode("node001", `rm -f ${go}`).catch(() => {});
      await Deno.remove(home, { recursive: true });
    }
  },
});
