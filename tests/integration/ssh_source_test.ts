/**
 * The SSH source against a real OpenSSH server on loopback (scripts/ssh_node.sh).
 */
import { defaultRawConfig } from "../../src/config/defaults.ts";
import { configSchema } from "../../src/config/schema.ts";
import { SshPool } from "../../src/sources/ssh_pool.ts";
import { SshFileSource } from "../../src/sources/ssh.ts";
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
    const pool = new SshPool(sshConfig({ max_sessions_per_connection: 2 }));
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
