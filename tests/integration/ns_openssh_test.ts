/**
 * The openssh transport on the namespace cluster, whose sshds allow 10 sessions per connection
 * (MaxSessions): with 11 files on one node, 10 are followed over the node's one master and the
 * 11th waits with a status that names MaxSessions — one connection, never a second one.
 */
import { assert, assertEquals, waitFor } from "../_helpers/assert.ts";
import { S9sProcess, testEnv } from "../_helpers/cli.ts";
import { nsCluster } from "../_helpers/ns_cluster.ts";
import { sh } from "../_helpers/command.ts";
import { tempHome } from "../_helpers/temp_dir.ts";

const outOf = async (cmd: string, args: string[]) => (await sh([cmd, ...args])).stdout;

const ns = await nsCluster();

interface Ev {
  type: string;
  content: string;
}

/** The pid of the master of s9s `pid`: named by the ControlPath its ssh clients give with -S. */
async function ourMaster(pid: number): Promise<number> {
  const kids = await outOf("pgrep", ["-a", "-P", String(pid)]);
  const socket = / -S (\S+)/.exec(kids)?.[1];
  assert(socket, `s9s's ssh clients name their master's socket: ${kids}`);
  const m = await outOf("pgrep", ["-f", `ControlPath=${socket} `]);
  const pids = m.split("\n").filter((l) => l.trim()).map(Number);
  assertEquals(pids.length, 1, `one master for ${socket}`);
  return pids[0];
}

Deno.test({
  name: "openssh: past the node's MaxSessions a file waits with a status, on one connection",
  ignore: !ns,
  async fn() {
    const c = ns!;
    // /var/tmp is shared with the nodes (only /tmp is private to each).
    await Deno.mkdir("/var/tmp", { recursive: true });
    const dir = await Deno.makeTempDir({ dir: "/var/tmp", prefix: "s9s-ns-openssh-" });
    const { home } = await tempHome("s9s-ns-openssh-");
    const cfg = `${home}/config.yaml`;
    await Deno.writeTextFile(
      cfg,
      [
        "streaming:",
        "  max_concurrent_streams: 40",
        "  ssh:",
        "    transport: openssh",
        `    key_file: ${c.key}`,
        `    known_hosts: ${c.knownHosts}`,
        "    user: root",
        "    host_key_checking: strict",
        "  persistence:",
        "    enabled: false",
        "",
      ].join("\n"),
    );
    const files = Array.from({ length: 11 }, (_, i) => `${dir}/f${String(i).padStart(2, "0")}`);
    for (const f of files) await Deno.writeTextFile(f, `${f.slice(-3)} line\n`);
    const p = new S9sProcess(
      [
        "--config",
        cfg,
        "stream",
        "--source",
        "ssh",
        "--node",
        c.nodes[0],
        "-o",
        "json",
        "--events",
        ...files.flatMap((f) => ["--path", f]),
      ],
      { env: testEnv(home) },
    );
    const evs = () => p.json<Ev>();
    try {
      await waitFor(
        () =>
          evs().filter((e) => e.type === "stdout").length === 10 &&
          evs().some((e) => e.type === "status" && /MaxSessions/.test(e.content)),
        { timeout: 60_000, what: `10 files followed and one waiting; ${p.stderr.slice(-600)}` },
      );
      const waiting = evs().filter((e) => e.type === "status" && /MaxSessions/.test(e.content));
      assertEquals(waiting.length, 1, JSON.stringify(waiting));
      assert(
        /allows no more sessions on one connection \(its sshd's MaxSessions\)/.test(
          waiting[0].content,
        ),
        waiting[0].content,
      );
      // TCP connections held by this s9s, its ssh clients and its master (others may be testing
      // this node too): the master's one.
      const master = await ourMaster(p.pid);
      const kids = (await outOf("pgrep", ["-P", String(p.pid)])).split("\n").filter(Boolean);
      const ours = [String(p.pid), String(master), ...kids];
      const ss = await outOf("ss", ["-Htnp", "state", "established", "( dport = :22 )"]);
      const conns = ss.split("\n").filter((l) => ours.some((q) => l.includes(`pid=${q},`)));
      assertEquals(conns.length, 1, ss);
      assert(conns[0].includes(`pid=${master},`), conns[0]);
    } finally {
      await p.stop("SIGINT");
      await Deno.remove(dir, { recursive: true });
    }
  },
});
