/**
 * A node whose sshd has no `Subsystem sftp`: the SSH source says so in a status event and
 * follows the file with `tail -c +OFFSET -F` over exec instead, drains it at the end and resumes
 * at the exact byte after its connection is killed. Against a second loopback sshd of
 * scripts/ssh_node.sh started without SFTP (root only; the test stops what it started).
 */
import { defaultRawConfig } from "../../src/config/defaults.ts";
import { configSchema } from "../../src/config/schema.ts";
import { sourceCollector } from "../_helpers/source_collector.ts";
import { SshFileSource } from "../../src/sources/ssh.ts";
import { SshPool } from "../../src/sources/ssh_pool.ts";
import { assert, assertEquals, waitFor } from "../_helpers/assert.ts";
import { ROOT } from "../_helpers/cli.ts";

const DIR = "/tmp/s9s-sshd-nosftp";
const PORT = 2229;
const enabled = Deno.uid() === 0 && Deno.env.get("S9S_TEST_SSH") === "1";

async function node(cmd: "start" | "stop"): Promise<void> {
  const out = await new Deno.Command("bash", {
    args: [`${ROOT}scripts/ssh_node.sh`, cmd],
    env: { S9S_SSHD_DIR: DIR, S9S_SSHD_PORT: String(PORT), S9S_SSHD_NO_SFTP: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(out.code, 0, `ssh_node.sh ${cmd}: ${new TextDecoder().decode(out.stderr)}`);
}

function sshConfig() {
  const raw = defaultRawConfig() as { streaming: { ssh: Record<string, unknown> } };
  Object.assign(raw.streaming.ssh, {
    port: PORT,
    key_file: `${DIR}/client_key`,
    known_hosts: `${DIR}/known_hosts`,
    user: "root",
    host_key_checking: "strict",
    retry_attempts: 5,
  });
  return configSchema.parse(raw).streaming.ssh;
}

/** Kill the per-connection sshd processes (children of this instance's listener). */
async function killConnections(): Promise<void> {
  const listener = (await Deno.readTextFile(`${DIR}/sshd.pid`)).trim();
  await new Deno.Command("pkill", { args: ["-KILL", "-P", listener] }).output();
}

Deno.test({
  name: "no SFTP subsystem: tail -F over exec, with a status saying so, exact resume and drain",
  ignore: !enabled,
  async fn() {
    await node("start");
    const conf = await Deno.readTextFile(`${DIR}/sshd_config`);
    assert(!/Subsystem\s+sftp/i.test(conf), "this sshd has no sftp subsystem");
    const dir = await Deno.makeTempDir({ prefix: "s9s-nosftp-" });
    const pool = new SshPool(sshConfig());
    const { lines, nums, statuses, sink } = sourceCollector();
    try {
      const f = `${dir}/job.out`;
      await Deno.writeTextFile(f, "first\n");
      const src = new SshFileSource("127.0.0.1", f, { pool });
      const run = src.run(sink);
      await waitFor(() => lines.length === 1, { timeout: 30_000, what: `first line; ${statuses}` });
      assert(
        statuses.some((s) =>
          /^connecting: 127\.0\.0\.1 offers no SFTP subsystem: following ".*" with tail -F/.test(s)
        ),
        statuses.join("\n"),
      );
      let n = 1;
      const append = async (count: number) => {
        let text = "";
        for (let i = 0; i < count; i++) text += `line ${++n}\n`;
        await Deno.writeTextFile(f, text, { append: true });
      };
      for (let round = 1; round <= 2; round++) {
        await append(200);
        await waitFor(() => lines.length === n, { timeout: 30_000, what: `${n} lines` });
        await killConnections();
        await append(100); // written while the connection is down
        await waitFor(() => lines.length === n, { timeout: 30_000, what: `${n} lines after kill` });
      }
      await Deno.writeTextFile(f, "no newline at the end", { append: true });
      src.finish();
      await run;
      assertEquals(lines.length, n + 1);
      assertEquals(lines.slice(0, n), [
        "first",
        ...Array.from({ length: n - 1 }, (_, i) => `line ${i + 2}`),
      ]);
      assertEquals(lines[n], "no newline at the end");
      assertEquals(nums, lines.map((_, i) => i + 1));
      assertEquals(
        statuses.filter((s) => s.startsWith("retrying")).length >= 2,
        true,
        statuses.join("\n"),
      );
      assertEquals(
        statuses.filter((s) => s.startsWith("live: reconnected")).length,
        2,
        statuses.join("\n"),
      );
    } finally {
      pool.close();
      await node("stop");
      await Deno.remove(dir, { recursive: true });
    }
  },
});
