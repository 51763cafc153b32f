import {
  fingerprint,
  hostFieldMatches,
  knownHostsLine,
  verifyHostKey,
} from "../../../src/sources/known_hosts.ts";
import { resolveSshTarget, splitHost } from "../../../src/sources/ssh_config.ts";
import { defaultRawConfig } from "../../../src/config/defaults.ts";
import { configSchema } from "../../../src/config/schema.ts";
import { assert, assertEquals, assertMatch } from "../../_helpers/assert.ts";

// An ed25519 public key blob: string "ssh-ed25519" + 32 key bytes.
function blob(seed: number): Uint8Array {
  const t = new TextEncoder().encode("ssh-ed25519");
  const out = new Uint8Array(4 + t.length + 4 + 32);
  const v = new DataView(out.buffer);
  v.setUint32(0, t.length);
  out.set(t, 4);
  v.setUint32(4 + t.length, 32);
  out.fill(seed, 8 + t.length);
  return out;
}

Deno.test("host patterns: wildcards, negation, [host]:port, hashed names", () => {
  assert(hostFieldMatches("node*,login", "node7"));
  assert(hostFieldMatches("NODE?", "node7"), "case-insensitive");
  assert(!hostFieldMatches("node*,!node7", "node7"), "a negated match wins");
  assert(hostFieldMatches("node*,!node7", "node8"));
  assert(!hostFieldMatches("!node7", "node8"), "only negations match nothing");
  assert(hostFieldMatches("[node7]:2022", "[node7]:2022"));
  assert(!hostFieldMatches("node7", "[node7]:2022"));
  const hashed = knownHostsLine("node7", blob(1), true).split(" ")[0];
  assertMatch(hashed, /^\|1\|/);
  assert(hostFieldMatches(hashed, "node7"));
  assert(!hostFieldMatches(hashed, "node8"));
});

Deno.test("fingerprints look like OpenSSH's", () => {
  assertMatch(fingerprint(blob(1)), /^SHA256:[A-Za-z0-9+/]{43}$/);
});

Deno.test("accept-new records a new key once; strict refuses it; a change is refused", async () => {
  const dir = await Deno.makeTempDir();
  const kh = `${dir}/sub/known_hosts`;
  const check = (key: Uint8Array, mode: "strict" | "accept-new") =>
    verifyHostKey({ hostname: "n1", port: 22, key, userFiles: [kh], globalFiles: [], mode });
  try {
    assertMatch(check(blob(1), "strict")!.message, /not in known_hosts/);
    assertEquals(check(blob(1), "accept-new"), null);
    assertEquals((await Deno.readTextFile(kh)).trim().split("\n").length, 1);
    assertEquals(check(blob(1), "strict"), null, "now known");
    const r = check(blob(2), "accept-new")!;
    assertMatch(r.message, /host key for "n1" has changed: it offered SHA256:/);
    assert(r.message.includes(fingerprint(blob(2))));
    assertMatch(r.hint, /ssh-keygen -R 'n1'/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ssh_config: first value wins, user file before system file, defaults last", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/user`,
      "Host n*\n  User alice\n  Port 2200\n  ProxyJump gw1,gw2\nHost *\n  User bob\n  ConnectTimeout 4\n",
    );
    await Deno.writeTextFile(
      `${dir}/system`,
      "Host *\n  Port 22\n  StrictHostKeyChecking yes\n  HashKnownHosts yes\n",
    );
    const raw = defaultRawConfig() as { streaming: { ssh: Record<string, unknown> } };
    const cfg = configSchema.parse(raw).streaming.ssh;
    const files = { user: `${dir}/user`, system: `${dir}/system` };
    const t = resolveSshTarget("n1", cfg, files);
    assertEquals([t.user, t.port, t.proxyJump], ["alice", 2200, ["gw1", "gw2"]]);
    assertEquals([t.hostKeyMode, t.hashKnownHosts, t.connectTimeoutMs], ["strict", true, 4000]);
    const o = resolveSshTarget("carol@other:2022", cfg, files);
    assertEquals([o.user, o.port, o.hostname, o.proxyJump], ["carol", 2022, "other", []]);
    assertEquals(splitHost("[::1]:22"), { name: "::1", user: undefined, port: 22 });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
