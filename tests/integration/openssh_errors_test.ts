/**
 * The openssh transport's choice and its errors, through the real CLI: auto takes the system ssh
 * when one is on PATH (and --explain and --debug say so); an unknown host, a refused port, a
 * wrong host key (even with host_key_checking off) and a node that never answers each end in
 * one clear line with a hint. Against scripts/ssh_hostbased.sh and scripts/ssh_node.sh.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../_helpers/assert.ts";
import { runS9s, testEnv } from "../_helpers/cli.ts";
import {
  BIN,
  enabled,
  env,
  HB,
  PATH,
  PORT,
  readOnNode,
  scratch,
} from "../_helpers/hostbased_node.ts";

Deno.test({
  name: "auto picks openssh when ssh is on PATH, builtin when not, and --explain says so",
  ignore: !enabled,
  async fn() {
    const s = await scratch();
    const f = `${s.dir}/x.out`;
    await Deno.writeTextFile(f, "x\n");
    const withSsh = await runS9s(["stream", "--explain", "--path", f], {
      env: testEnv(s.home, { PATH }),
    });
    assertEquals(withSsh.code, 0, withSsh.stderr);
    assertStringIncludes(
      withSsh.stdout,
      `ssh transport: auto chose openssh: ${BIN}/ssh is on PATH\n`,
    );
    const without = await runS9s(["stream", "--explain", "--path", f], {
      env: testEnv(s.home, { PATH: s.dir }),
    });
    assertEquals(without.code, 0, without.stderr);
    assertStringIncludes(
      without.stdout,
      "ssh transport: auto chose builtin: no ssh client on PATH\n",
    );
    // --debug logs the choice when a stream first needs a node.
    const dbg = await runS9s([
      "--debug",
      "stream",
      "--no-follow",
      "--source",
      "ssh",
      "--node",
      "hbnode",
      "--path",
      f,
    ], { env: testEnv(s.home, { PATH }) });
    assertEquals(dbg.code, 0, dbg.stderr);
    assertEquals(dbg.stdout, "x\n");
    assertStringIncludes(
      await Deno.readTextFile(`${s.home}/debug.log`),
      `ssh transport: auto chose openssh: ${BIN}/ssh is on PATH`,
    );
  },
});

Deno.test({
  name:
    "openssh errors: unknown host, refused, a wrong host key (even with checking off), a silent node: one line and a hint each",
  ignore: !enabled,
  async fn() {
    const s = await scratch(["  ssh:", "    timeout: 1s", "    retry_attempts: 0"]);
    const f = `${s.dir}/x.out`;
    await Deno.writeTextFile(f, "x\n");
    const unknown = await readOnNode(s, "openssh", "nosuchnode.invalid", f);
    assertEquals(unknown.code, 1, unknown.stderr);
    assertMatch(
      unknown.stderr,
      /\nerror: unknown host "nosuchnode\.invalid": Could not resolve hostname/,
    );
    assertMatch(unknown.stderr, /\nhint: check the node name, or add a Host entry/);
    // A port nobody listens on: refused, said at once (no retries of streaming.ssh.timeout).
    const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const closedPort = (closed.addr as Deno.NetAddr).port;
    closed.close();
    await Deno.writeTextFile(
      s.cfg,
      ["streaming:", "  ssh:", "    timeout: 30s", `    port: ${closedPort}`, ""].join("\n"),
    );
    const t0 = Date.now();
    const refused = await readOnNode(s, "openssh", "127.0.0.1", f);
    assertEquals(refused.code, 1, refused.stderr);
    assertStringIncludes(
      refused.stderr,
      `\nerror: cannot connect to "127.0.0.1" over SSH: connect to host 127.0.0.1 port ${closedPort}: Connection refused\n`,
    );
    assert(Date.now() - t0 < 10_000, "said at once");
    // A node whose host key is not the one known: ssh refuses it; s9s's host_key_checking "off"
    // does not turn ssh's checking off.
    const wrongKey = `${s.home}/known_hosts`;
    const otherKey = (await Deno.readTextFile(`${HB}/known_hosts`)).split("\n")[0].split(" ");
    const sshNodeKey = (await Deno.readTextFile(env("S9S_TEST_SSH_KNOWN_HOSTS"))).split(" ");
    await Deno.writeTextFile(wrongKey, `${otherKey[0]} ${sshNodeKey[1]} ${sshNodeKey[2]}`);
    await Deno.writeTextFile(
      s.cfg,
      [
        "streaming:",
        "  ssh:",
        "    retry_attempts: 0",
        `    port: ${PORT}`,
        `    known_hosts: ${wrongKey}`,
        "    host_key_checking: off",
        "",
      ].join("\n"),
    );
    const mismatch = await readOnNode(s, "openssh", "127.0.0.1", f);
    assertEquals(mismatch.code, 1, mismatch.stderr);
    assertMatch(
      mismatch.stderr,
      /\nerror: ssh to "127\.0\.0\.1" failed: host key verification failed\n/,
    );
    assertMatch(mismatch.stderr, /\nhint: .*never turns host key checking off/);
    // A port that accepts and never says a word: ConnectTimeout (streaming.ssh.timeout) ends it.
    const silent = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const held: Deno.Conn[] = [];
    (async () => {
      for await (const c of silent) held.push(c);
    })().catch(() => {});
    try {
      const port = (silent.addr as Deno.NetAddr).port;
      await Deno.writeTextFile(
        s.cfg,
        [
          "streaming:",
          "  ssh:",
          "    timeout: 1s",
          "    retry_attempts: 0",
          `    port: ${port}`,
          "",
        ]
          .join("\n"),
      );
      const t0 = Date.now();
      const r = await readOnNode(s, "openssh", "127.0.0.1", f);
      assertEquals(r.code, 1, r.stderr);
      assertMatch(
        r.stderr,
        /\nerror: failed: cannot connect to "127\.0\.0\.1" over SSH: no answer within 1s \(streaming\.ssh\.timeout\)/,
      );
      assertMatch(r.stderr, /\nhint: .*--ssh-transport builtin/);
      assert(Date.now() - t0 < 20_000, "ended after the timeout, not later");
    } finally {
      silent.close();
      for (const c of held) c.close();
    }
  },
});
