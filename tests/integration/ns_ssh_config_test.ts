/**
 * ssh_config and known_hosts with OpenSSH's semantics, against the real sshd of the namespace
 * cluster's nodes (scripts/ns_cluster.sh): Host aliases, User, IdentityFile, IdentitiesOnly,
 * ProxyJump through node001, and every host-key case.
 */
import { defaultRawConfig } from "../../src/config/defaults.ts";
import { configSchema } from "../../src/config/schema.ts";
import { SshPool } from "../../src/sources/ssh_pool.ts";
import { knownHostsLine } from "../../src/sources/known_hosts.ts";
import { clearSshConfigCache } from "../../src/sources/ssh_config.ts";
import { assert, assertEquals, assertMatch, assertRejects } from "../_helpers/assert.ts";
import { nsCluster } from "../_helpers/ns_cluster.ts";
import { UserFacingError } from "../../src/errors.ts";

const ns = await nsCluster();

function sshCfg(extra: Record<string, unknown> = {}) {
  const raw = defaultRawConfig() as { streaming: { ssh: Record<string, unknown> } };
  Object.assign(raw.streaming.ssh, { timeout: "5s", retry_attempts: 0, ...extra });
  return configSchema.parse(raw).streaming.ssh;
}

/** The node's host key line body ("ssh-ed25519 AAAA…") and its ssh-keygen fingerprint. */
async function hostKey(node: string): Promise<{ body: string; fp: string; blob: Uint8Array }> {
  const pub = (await Deno.readTextFile(`/etc/s9s-ns/${node}/host_key.pub`)).trim();
  const out = await new Deno.Command("ssh-keygen", {
    args: ["-lf", `/etc/s9s-ns/${node}/host_key.pub`],
    stdout: "piped",
  }).output();
  const fp = new TextDecoder().decode(out.stdout).split(" ")[1];
  const b64 = pub.split(" ")[1];
  return {
    body: pub.split(" ").slice(0, 2).join(" "),
    fp,
    blob: Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)),
  };
}

/** A temp dir with an ssh config and empty known_hosts files; returns paths and a pool maker. */
async function setup(config: (d: string) => string) {
  clearSshConfigCache();
  const dir = await Deno.makeTempDir({ prefix: "s9s-sshcfg-" });
  const kh = `${dir}/known_hosts`;
  const global = `${dir}/ssh_known_hosts`;
  await Deno.writeTextFile(kh, "");
  await Deno.writeTextFile(global, "");
  await Deno.writeTextFile(`${dir}/config`, config(dir));
  const pools: SshPool[] = [];
  return {
    dir,
    kh,
    global,
    pool(extra: Record<string, unknown> = {}) {
      const p = new SshPool(sshCfg(extra), () => {}, {
        user: `${dir}/config`,
        system: "/dev/null",
      });
      pools.push(p);
      return p;
    },
    async done() {
      pools.forEach((p) => p.close());
      await Deno.remove(dir, { recursive: true });
    },
  };
}

const hostBlock = (d: string, name: string, strict = "yes") =>
  `Host ${name}\n  User root\n  IdentityFile ${ns!.key}\n  IdentitiesOnly yes\n` +
  `  UserKnownHostsFile ${d}/known_hosts\n  GlobalKnownHostsFile ${d}/ssh_known_hosts\n` +
  `  StrictHostKeyChecking ${strict}\n  ConnectTimeout 5\n`;

Deno.test({
  name:
    "a Host alias from ssh config sets HostName, User, IdentityFile; ProxyJump goes through node001",
  ignore: !ns,
  async fn() {
    const t = await setup((d) =>
      `Host n1\n  HostName ${ns!.addrs[0]}\n  User ${ns!.user}\n  IdentityFile ${ns!.key}\n` +
      `  IdentitiesOnly yes\n  UserKnownHostsFile ${
        ns!.knownHosts
      }\n  StrictHostKeyChecking yes\n\n` +
      `Host hidden\n  HostName node002\n  ProxyJump n1\n\n` + hostBlock(d, "*").replace(
        `UserKnownHostsFile ${d}/known_hosts`,
        `UserKnownHostsFile ${ns!.knownHosts}`,
      )
    );
    try {
      const pool = t.pool();
      const who = await pool.run("n1", "whoami; hostname");
      assertEquals(who.stdout.split("\n").slice(0, 2), [ns!.user, "node001"]);
      const log = `${ns!.logs}/sshd-node002.log`;
      const before = (await Deno.readTextFile(log)).length;
      const r = await pool.run("hidden", "hostname; echo $SSH_CONNECTION");
      const [host, conn] = r.stdout.split("\n");
      assertEquals(host, "node002");
      assertEquals(
        conn.split(" ")[0],
        ns!.addrs[0],
        "node002 saw the connection come from node001",
      );
      const after = (await Deno.readTextFile(log)).slice(before);
      assertMatch(after, new RegExp(`Accepted publickey for root from ${ns!.addrs[0]}`));
      assertEquals(pool.stats.connectionsOpened, 2);
    } finally {
      await t.done();
    }
  },
});

Deno.test({
  name: "known_hosts: hashed, wildcard, [host]:port and global entries are accepted",
  ignore: !ns,
  async fn() {
    const k = await hostKey("node001");
    const t = await setup((d) => hostBlock(d, "node001"));
    try {
      const cases: [string, string, string][] = [
        ["hashed", knownHostsLine("node001", k.blob, true), "node001"],
        ["wildcard", `node00* ${k.body}`, "node001"],
        ["host:port", `[node001]:2022 ${k.body}`, "node001:2022"],
      ];
      for (const [what, line, host] of cases) {
        await Deno.writeTextFile(t.kh, line + "\n");
        const r = await t.pool().run(host, "hostname");
        assertEquals(r.stdout.trim(), "node001", what);
      }
      await Deno.writeTextFile(t.kh, "");
      await Deno.writeTextFile(t.global, `node001 ${k.body}\n`);
      assertEquals((await t.pool().run("node001", "hostname")).stdout.trim(), "node001", "global");
    } finally {
      await t.done();
    }
  },
});

Deno.test({
  name: "known_hosts: negated pattern, wrong port, @revoked and @cert-authority are refused",
  ignore: !ns,
  async fn() {
    const k = await hostKey("node001");
    const ca = await hostKey("node002"); // any key serves as a CA key here
    const t = await setup((d) => hostBlock(d, "node001"));
    try {
      const refused = async (kh: string, host: string, re: RegExp) => {
        await Deno.writeTextFile(t.kh, kh);
        const err = await assertRejects(() => t.pool().run(host, "true"));
        assert(err instanceof UserFacingError, String(err));
        assertMatch(err.message, re);
        return err;
      };
      await refused(`node00*,!node001 ${k.body}\n`, "node001", /not in known_hosts/);
      await refused(`node001 ${k.body}\n`, "node001:2022", /"\[node001\]:2022" is not in/);
      const rev = await refused(
        `@revoked node001 ${k.body}\nnode001 ${k.body}\n`,
        "node001",
        /is revoked/,
      );
      assertMatch(rev.message, new RegExp(k.fp.replace(/[+/]/g, "\\$&")));
      await refused(`@cert-authority node* ${ca.body}\n`, "node001", /@cert-authority/);
    } finally {
      await t.done();
    }
  },
});

Deno.test({
  name: "accept-new records a new host key (trust on first use), then refuses a changed one",
  ignore: !ns,
  async fn() {
    const k = await hostKey("node001");
    const other = await hostKey("node002");
    const t = await setup((d) => hostBlock(d, "node001", "accept-new") + "  HashKnownHosts yes\n");
    try {
      assertEquals((await t.pool().run("node001", "hostname")).stdout.trim(), "node001");
      const recorded = (await Deno.readTextFile(t.kh)).trim();
      assertMatch(recorded, /^\|1\|[^ ]+ ssh-ed25519 /);
      assert(recorded.endsWith(k.body.split(" ")[1]), "the node's key was recorded");
      // Once recorded, the same key connects again without writing anything.
      await t.pool().run("node001", "true");
      assertEquals((await Deno.readTextFile(t.kh)).trim(), recorded);
      // The node "was reinstalled": its recorded key is now another one.
      await Deno.writeTextFile(t.kh, `node001 ${other.body}\n`);
      const err = await assertRejects(() => t.pool().run("node001", "true"));
      assert(err instanceof UserFacingError);
      assertMatch(err.message, /host key for "node001" has changed/);
      assert(err.message.includes(k.fp), `names the offered fingerprint ${k.fp}: ${err.message}`);
      assertMatch(err.hint ?? "", /ssh-keygen -R 'node001'/);
    } finally {
      await t.done();
    }
  },
});
