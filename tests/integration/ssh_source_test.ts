/**
 * The SSH source against a real OpenSSH server on loopback (scripts/ssh_node.sh).
 */
import { defaultRawConfig } from "../../src/config/defaults.ts";
import { configSchema } from "../../src/config/schema.ts";
import { SshPool } from "../../src/sources/ssh_pool.ts";
import { SshFileSource } from "../../src/sources/ssh.ts";
import { SourceSelection } from "../../src/engine/source_selection.ts";
import { NO_DEBUG } from "../../src/core/debug_log.ts";
import { assert, assertEquals, assertRejects, waitFor } from "../_helpers/assert.ts";
import { sourceCollector } from "../_helpers/source_collector.ts";

const enabled = Deno.env.get("S9S_TEST_SSH") === "1";
const env = (k: string) => Deno.env.get(k) ?? "";

function sshConfig(extra: Record<string, unknown> = {}) {
  const raw = defaultRawConfig() as { streaming: { ssh: Record<string, unknown> } };
  Object.assign(raw.streaming.ssh, {
    port: Number(env("S9S_TEST_SSH_PORT") || 22),
    key_file: env("S9S_TEST_SSH_KEY"),
    known_hosts: env("S9S_TEST_SSH_KNOWN_HOSTS"),
    user: "root",
    host_key_checking: "strict",
    ...extra,
  });
  return configSchema.parse(raw).streaming.ssh;
}

Deno.test({
  name: "SshFileSource follows a remote file over one pooled connection and drains at the end",
  ignore: !enabled,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "s9s-ssh-" });
    const pool = new SshPool(sshConfig());
    try {
      const files = Array.from({ length: 3 }, (_, i) => `${dir}/job${i}.out`);
      for (const f of files) await Deno.writeTextFile(f, "first\n");
      const cols = files.map(() => sourceCollector());
      const sources = files.map((f) => new SshFileSource(env("S9S_TEST_SSH_HOST"), f, { pool }));
      const runs = sources.map((s, i) => s.run(cols[i].sink));
      await waitFor(() => cols.every((c) => c.lines.length === 1), {
        timeout: 60_000,
        what: "first lines",
      });
      for (let k = 2; k <= 300; k++) {
        for (const f of files) await Deno.writeTextFile(f, `line ${k}\n`, { append: true });
      }
      for (const f of files) await Deno.writeTextFile(f, "no newline at the end", { append: true });
      await waitFor(() => cols.every((c) => c.lines.length === 300), {
        timeout: 60_000,
        what: "300 lines each",
      });
      sources.forEach((s) => s.finish());
      await Promise.all(runs);
      for (const c of cols) {
        assertEquals(c.lines.length, 301);
        assertEquals(c.lines[0], "first");
        assertEquals(c.lines[299], "line 300");
        assertEquals(c.lines[300], "no newline at the end");
        assertEquals(c.nums, c.lines.map((_, i) => i + 1));
      }
      assertEquals(pool.stats.connectionsOpened, 1, "3 streams share one connection");
      assertEquals(pool.stats.channelsOpened, 1, "and one SFTP channel");
    } finally {
      pool.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "SshFileSource handles truncation, a late file and --tail over SSH",
  ignore: !enabled,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "s9s-ssh-" });
    const pool = new SshPool(sshConfig());
    try {
      const f = `${dir}/late.out`;
      const c = sourceCollector();
      const src = new SshFileSource(env("S9S_TEST_SSH_HOST"), f, { pool });
      const run = src.run(c.sink);
      await waitFor(() => c.statuses.some((s) => s.startsWith("waiting")), {
        timeout: 30_000,
        what: "waiting status",
      });
      await Deno.writeTextFile(f, "a\nb\n");
      await waitFor(() => c.lines.length === 2, { what: "two lines" });
      await Deno.truncate(f, 0);
      await waitFor(() => c.statuses.some((s) => s.includes("truncated")), {
        what: "truncation noticed",
      });
      await Deno.writeTextFile(f, "c\n", { append: true });
      await waitFor(() => c.lines.length === 3, { what: "line after truncation" });
      src.finish();
      await run;
      assertEquals(c.lines, ["a", "b", "c"]);
      assertEquals(c.nums, [1, 2, 3]);

      const t = sourceCollector();
      const tailSrc = new SshFileSource(env("S9S_TEST_SSH_HOST"), f, {
        pool,
        follow: false,
        tailLines: 1,
      });
      await Deno.writeTextFile(f, "d\ne\n", { append: true });
      await tailSrc.run(t.sink);
      assertEquals(t.lines, ["e"]);
      assertEquals(t.nums, [3]);
    } finally {
      pool.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "SshPool refuses a host key that does not match known_hosts",
  ignore: !enabled,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "s9s-ssh-" });
    const kh = `${dir}/known_hosts`;
    const port = env("S9S_TEST_SSH_PORT");
    await Deno.writeTextFile(
      kh,
      `[127.0.0.1]:${port} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBadBadBadBadBadBadBadBadBadBadBadBadBadBadBad\n`,
    );
    const pool = new SshPool(sshConfig({ known_hosts: kh }));
    try {
      const err = await assertRejects(
        () => pool.run(env("S9S_TEST_SSH_HOST"), "true"),
        /host key for .* has changed/,
      );
      assert((err as { hint?: string }).hint?.includes("ssh-keygen -R"));
    } finally {
      pool.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "ssh.chunk_size is the size of each SFTP read of a stream's remote file",
  ignore: !enabled,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "s9s-ssh-chunk-" });
    const raw = defaultRawConfig() as { streaming: Record<string, unknown> };
    const base = raw.streaming.persistence as Record<string, unknown>;
    raw.streaming.persistence = { ...base, enabled: false };
    raw.streaming.ssh = {
      ...(raw.streaming.ssh as object),
      port: Number(env("S9S_TEST_SSH_PORT") || 22),
      key_file: env("S9S_TEST_SSH_KEY"),
      known_hosts: env("S9S_TEST_SSH_KNOWN_HOSTS"),
      user: "root",
      host_key_checking: "strict",
      chunk_size: "4KB",
      transport: "builtin", // SFTP reads are the built-in client's (openssh reads with tail)
    };
    const selection = new SourceSelection({
      config: configSchema.parse(raw).streaming,
      debug: NO_DEBUG,
      progress: false,
    });
    try {
      const path = `${dir}/job.out`;
      const line = "z".repeat(99) + "\n";
      await Deno.writeTextFile(path, line.repeat(1000));
      const spans: number[] = [];
      const source = await selection.select({
        target: { kind: "file", label: "chunk", path, node: env("S9S_TEST_SSH_HOST") },
        loc: { path, from: "test", exists: true },
        label: "chunk",
        type: "stdout",
        follow: false,
        signal: new AbortController().signal,
        status: () => {},
      });
      await source.run({
        batch: (b) => void spans.push(b.endOffset - b.startOffset),
        status: () => {},
      });
      assertEquals(spans.reduce((a, b) => a + b, 0), line.length * 1000);
      // Each read is emitted as it comes: one read plus the end of the line the last one began.
      assert(Math.max(...spans) <= 4096 + 100, `largest batch ${Math.max(...spans)} bytes`);
    } finally {
      selection.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "ssh.connection_pooling: false and max_idle_connections: 0 close a node's connection when idle",
  ignore: !enabled,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "s9s-ssh-idle-" });
    const host = env("S9S_TEST_SSH_HOST");
    try {
      await Deno.writeTextFile(`${dir}/f.out`, "x\n");
      for (const extra of [{ connection_pooling: false }, { max_idle_connections: 0 }]) {
        const said: string[] = [];
        const pool = new SshPool(sshConfig(extra), (m) => said.push(m));
        try {
          const sftp = await pool.sftp(host);
          const h = await sftp.open(`${dir}/f.out`);
          assert(pool.connected(host), "connected while the file is open");
          await sftp.close(h);
          await waitFor(() => !pool.connected(host), {
            timeout: 10_000,
            what: `the idle connection closed (${JSON.stringify(extra)})`,
          });
          assert(said.some((m) => m.includes("closing idle connection")), said.join("\n"));
          // The next use opens a new connection.
          assertEquals((await pool.run(host, "echo again")).stdout, "again\n");
          assertEquals(pool.stats.connectionsOpened, 2);
        } finally {
          pool.close();
        }
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "ssh.max_connections refuses a connection to one node more than it allows",
  ignore: !enabled,
  async fn() {
    const pool = new SshPool(sshConfig({ max_connections: 1 }));
    try {
      assertEquals((await pool.run(env("S9S_TEST_SSH_HOST"), "echo one")).stdout, "one\n");
      await assertRejects(
        () => pool.run("second-node.invalid", "true"),
        /too many SSH connections \(streaming\.ssh\.max_connections is 1\)/,
      );
    } finally {
      pool.close();
    }
  },
});
