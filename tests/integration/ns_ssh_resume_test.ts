/**
 * SSH streams on the namespace cluster's real sshd: a connection killed mid-stream (twice) is
 * reconnected and resumed at the exact byte; an unreachable node fails within timeout × retries;
 * 20 streams on a node with MaxSessions 10 share one TCP connection.
 */
import { defaultRawConfig } from "../../src/config/defaults.ts";
import { configSchema } from "../../src/config/schema.ts";
import { SshPool } from "../../src/sources/ssh_pool.ts";
import { SshFileSource } from "../../src/sources/ssh.ts";
import { UserFacingError } from "../../src/errors.ts";
import { assert, assertEquals, assertMatch, assertRejects, waitFor } from "../_helpers/assert.ts";
import { type NsCluster, nsCluster } from "../_helpers/ns_cluster.ts";
import { sourceCollector } from "../_helpers/source_collector.ts";

const ns = await nsCluster();

function pool(extra: Record<string, unknown> = {}): SshPool {
  const raw = defaultRawConfig() as { streaming: { ssh: Record<string, unknown> } };
  Object.assign(raw.streaming.ssh, {
    key_file: ns!.key,
    known_hosts: ns!.knownHosts,
    user: "root",
    host_key_checking: "strict",
    ...extra,
  });
  return new SshPool(configSchema.parse(raw).streaming.ssh, () => {}, {
    user: "/dev/null",
    system: "/dev/null",
  });
}

/** Run a shell command in a node's namespaces (its private /tmp). */
async function onNode(c: NsCluster, node: string, script: string): Promise<string> {
  const pid = (await Deno.readTextFile(`${c.run}/slurmd-${node}.pid`)).trim();
  const out = await new Deno.Command("nsenter", {
    args: ["-t", pid, "-m", "-n", "-u", "sh", "-c", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (out.code !== 0) throw new Error(new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout);
}

/** Established TCP connections to the node's sshd (port 22). */
async function sshConnections(c: NsCluster, node: string): Promise<number> {
  const out = await onNode(c, node, "ss -Htn state established '( sport = :22 )'");
  return out.split("\n").filter((l) => l.trim()).length;
}

/** Kill the per-connection sshd processes (children of the listening sshd) on a node. */
async function killConnections(c: NsCluster, node: string): Promise<void> {
  const listener = (await Deno.readTextFile(`${c.run}/sshd-${node}.pid`)).trim();
  await onNode(c, node, `pkill -KILL -P ${listener}`);
}

Deno.test({
  name: "a connection killed twice mid-stream resumes at the exact byte, nothing lost or doubled",
  ignore: !ns,
  async fn() {
    const f = `/tmp/resume-${Date.now()}.out`;
    await onNode(ns!, "node001", `: > ${f}`);
    const p = pool({ retry_attempts: 3 });
    const c = sourceCollector();
    const src = new SshFileSource("node001", f, { pool: p, chunkSize: 4096 });
    const run = src.run(c.sink);
    try {
      await waitFor(() => c.statuses.some((s) => s.startsWith("live")), { what: "live" });
      // The node writes 6000 lines in bursts for ~3 s; the connection is killed twice meanwhile.
      const writer = onNode(
        ns!,
        "node001",
        `for b in $(seq 0 59); do seq -f 'line %g' $((b*100+1)) $((b*100+100)) >> ${f}; sleep 0.05; done`,
      );
      for (const [round, atLeast] of [[1, 1000], [2, 0]]) {
        const from = c.lines.length;
        await waitFor(() => c.lines.length >= Math.max(atLeast, from + 300), {
          timeout: 30_000,
          what: `lines flowing before kill ${round} (have ${c.lines.length})`,
        });
        await killConnections(ns!, "node001");
        await waitFor(
          () => c.statuses.filter((s) => /^live: reconnected to node001/.test(s)).length >= round,
          { timeout: 30_000, what: `reconnect ${round}: ${c.statuses.join(" | ")}` },
        );
      }
      await writer;
      await waitFor(() => c.lines.length === 6000, {
        timeout: 30_000,
        what: `6000 lines (have ${c.lines.length})`,
      });
      await onNode(ns!, "node001", `printf 'no newline' >> ${f}`);
      src.finish();
      await run;
      const want = Array.from({ length: 6000 }, (_, i) => `line ${i + 1}`);
      assertEquals(c.lines.length, 6001);
      assertEquals(c.lines, [...want, "no newline"]);
      assertEquals(c.nums, c.lines.map((_, i) => i + 1));
      assertEquals(p.stats.connectionsOpened, 3, "first connection and two reconnects");
      assertMatch(c.statuses[0], /^connecting: connecting to node001/);
      assertMatch(c.statuses.join("\n"), /^retrying: lost node001: .*\(attempt 1\/3\)$/m);
      assertEquals(c.statuses.filter((s) => /^live: reconnected to node001/.test(s)).length, 2);
      assert(
        c.statuses.some((s) => /resuming .* at byte [1-9]\d*$/.test(s)),
        `resumed mid-file: ${c.statuses.join(" | ")}`,
      );
    } finally {
      p.close();
      await onNode(ns!, "node001", `rm -f ${f}`);
    }
  },
});

Deno.test({
  name: "an unreachable node fails with a clear error within timeout × retry_attempts",
  ignore: !ns,
  async fn() {
    const p = pool({ timeout: "1s", retry_attempts: 3 });
    const c = sourceCollector();
    const t0 = Date.now();
    try {
      const err = await assertRejects(() =>
        new SshFileSource("10.213.0.99", "/tmp/x.out", { pool: p, retryAttempts: 3 }).run(c.sink)
      );
      const took = Date.now() - t0;
      assert(err instanceof UserFacingError, String(err));
      assertMatch(err.message, /^failed: cannot connect to "10\.213\.0\.99".*\(3 attempts\)$/);
      assert(took >= 2500 && took < 3000 + 1500, `took ${took} ms for 3 × 1s`);
      assertEquals(c.statuses.filter((s) => s.startsWith("retrying")).length, 2);
    } finally {
      p.close();
    }
  },
});

Deno.test({
  name: "20 streams on one node with MaxSessions 10 use exactly one TCP connection",
  ignore: !ns,
  async fn() {
    const dir = `/tmp/many-${Date.now()}`;
    await onNode(
      ns!,
      "node002",
      `mkdir -p ${dir} && for i in $(seq 1 20); do echo "file $i first" > ${dir}/f$i; done`,
    );
    const p = pool();
    const cols = Array.from({ length: 20 }, () => sourceCollector());
    const srcs = cols.map((_, i) => new SshFileSource("node002", `${dir}/f${i + 1}`, { pool: p }));
    const runs = srcs.map((s, i) => s.run(cols[i].sink));
    try {
      await waitFor(() => cols.every((c) => c.lines.length === 1), {
        timeout: 30_000,
        what: "a line from each of 20 files",
      });
      await onNode(
        ns!,
        "node002",
        `for i in $(seq 1 20); do echo "file $i second" >> ${dir}/f$i; done`,
      );
      await waitFor(() => cols.every((c) => c.lines.length === 2), { what: "second lines" });
      assertEquals(await sshConnections(ns!, "node002"), 1, "one TCP connection to sshd");
      assertEquals(p.stats.connectionsOpened, 1);
      // Short commands (the engine's `test -e`, --tail) past MaxSessions wait for a free session.
      const runs20 = await Promise.all(
        Array.from({ length: 20 }, (_, i) => p.run("node002", `sleep 0.3; echo ${i}`)),
      );
      assertEquals(runs20.map((r) => r.stdout.trim()), runs20.map((_, i) => String(i)));
      assertEquals(p.stats.connectionsOpened, 1, "still one connection");
      srcs.forEach((s) => s.finish());
      await Promise.all(runs);
      cols.forEach((c, i) =>
        assertEquals(c.lines, [`file ${i + 1} first`, `file ${i + 1} second`])
      );
      const conf = await Deno.readTextFile("/etc/s9s-ns/node002/sshd_config");
      assertMatch(conf, /^MaxSessions 10$/m);
    } finally {
      p.close();
      await onNode(ns!, "node002", `rm -rf ${dir}`);
    }
  },
});
