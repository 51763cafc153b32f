/**
 * A slurmctld outage on a real cluster (the namespace cluster, scripts/ns_cluster.sh): its
 * controller is stopped while a job runs; `s9s stream --job N --events` says "cluster
 * unreachable, retrying" and goes on printing the job's lines, says "cluster reachable again" once
 * the controller is back, and ends with exit 0 when the job ends.
 */
import { assert, assertEquals, waitFor } from "../_helpers/assert.ts";
import { S9sProcess, testEnv } from "../_helpers/cli.ts";
import { nsCluster, nsCtld, nsRun, nsSbatch } from "../_helpers/ns_cluster.ts";

const ns = await nsCluster();

interface Ev {
  type: string;
  content: string;
  state?: string;
}

Deno.test({
  name:
    "stream --job through a slurmctld outage: unreachable, lines go on, reachable again, exit 0",
  ignore: !ns,
  async fn() {
    // Outside /tmp, which is private to each node: the job's file is visible here too.
    await Deno.mkdir("/var/tmp", { recursive: true });
    const dir = await Deno.makeTempDir({ dir: "/var/tmp", prefix: "s9s-outage-" });
    const home = `${dir}/home`;
    await Deno.mkdir(home);
    await Deno.writeTextFile(
      `${home}/config.yaml`,
      "streaming:\n  persistence:\n    enabled: false\n",
    );
    const id = await nsSbatch(
      ns!,
      ["-o", `${dir}/job_%j.out`],
      `i=0; while [ ! -e ${dir}/stop ]; do i=$((i+1)); echo "tick $i"; sleep 0.2 || exit 3; done; echo last`,
    );
    let ctldDown = false;
    const s9s = new S9sProcess(
      [
        "stream",
        "--job",
        id,
        "--type",
        "stdout",
        "-o",
        "json",
        "--events",
        "--config",
        `${home}/config.yaml`,
      ],
      { env: testEnv(home, { SLURM_CONF: ns!.slurmConf }) },
    );
    const evs = () => s9s.json<Ev>();
    const ticks = () => evs().filter((e) => e.type === "stdout").length;
    const statusAt = (re: RegExp) =>
      evs().findIndex((e) => e.type === "status" && re.test(e.content));
    try {
      await waitFor(() => ticks() >= 3, { timeout: 60_000, what: `first lines: ${s9s.stderr}` });
      await nsCtld(ns!, "stop");
      ctldDown = true;
      await waitFor(() => statusAt(/^cluster unreachable, retrying: /) >= 0, {
        timeout: 60_000,
        what: `the unreachable status: ${s9s.lines.slice(-3).join(" | ")} ${s9s.stderr}`,
      });
      // Lines keep arriving while the controller is away.
      const seen = ticks();
      await waitFor(() => ticks() >= seen + 5, {
        timeout: 20_000,
        what: "lines during the outage",
      });
      await nsCtld(ns!, "start");
      ctldDown = false;
      await waitFor(() => statusAt(/^cluster reachable again$/) >= 0, {
        timeout: 60_000,
        what: `the reachable status: ${s9s.lines.slice(-3).join(" | ")} ${s9s.stderr}`,
      });
      await Deno.writeTextFile(`${dir}/stop`, "");
      let ended: Deno.CommandStatus | undefined;
      void s9s.finished().then((st) => (ended = st));
      const st = await waitFor(() => ended, {
        timeout: 90_000,
        what: `the stream's end after the job: ${s9s.stderr}`,
      });
      assertEquals(st.code, 0, s9s.stderr);
      const all = evs();
      const down = statusAt(/^cluster unreachable, retrying: /);
      const up = statusAt(/^cluster reachable again$/);
      assert(down < up, "unreachable before reachable again");
      assertEquals(
        all.filter((e, i) => i > down && i < up && e.type === "stdout").length >= 5,
        true,
      );
      assertEquals(all.filter((e) => /cluster unreachable/.test(e.content)).length, 1, "said once");
      const lines = all.filter((e) => e.type === "stdout").map((e) => e.content);
      const n = lines.length - 1;
      assertEquals(lines, [...Array.from({ length: n }, (_, i) => `tick ${i + 1}`), "last"]);
    } finally {
      if (ctldDown) await nsCtld(ns!, "start");
      await s9s.stop();
      await nsRun(ns!, ["scancel", id]);
      await Deno.remove(dir, { recursive: true });
    }
  },
});
