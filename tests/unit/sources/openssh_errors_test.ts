import { sshFailure } from "../../../src/sources/openssh_errors.ts";
import { chooseTransport } from "../../../src/sources/ssh_transport.ts";
import { UserFacingError } from "../../../src/errors.ts";
import { assert, assertEquals, assertMatch, assertRejects } from "../../_helpers/assert.ts";

Deno.test("sshFailure names a refused login's methods and hints at BatchMode and builtin", () => {
  const e = sshFailure("node7", "s9shb@node7: Permission denied (publickey,hostbased).\n");
  assert(e instanceof UserFacingError);
  assertEquals(e.message, 'ssh to "node7" failed: Permission denied (publickey,hostbased)');
  assertMatch(e.hint!, /BatchMode=yes.*--ssh-transport builtin/);
});

Deno.test("sshFailure: unknown host, host key and timeout each get their own line", () => {
  const unknown = sshFailure(
    "nx",
    "ssh: Could not resolve hostname nx: Name or service not known\n",
  );
  assertEquals(
    unknown.message,
    'unknown host "nx": Could not resolve hostname nx: Name or service not known',
  );
  const key = sshFailure("n1", "@@@@\nHost key verification failed.\n");
  assertEquals(key.message, 'ssh to "n1" failed: host key verification failed');
  assertMatch((key as UserFacingError).hint!, /never turns host key checking off/);
  const slow = sshFailure("n2", "Connection timed out during banner exchange\n", {
    timeoutMs: 3000,
  });
  assertEquals(
    slow.message,
    'cannot connect to "n2" over SSH: no answer within 3s (streaming.ssh.timeout)',
  );
  // A refused connection carries ECONNREFUSED, which the SSH source reports at once.
  const refused = sshFailure("n4", "ssh: connect to host n4 port 22: Connection refused\n");
  assertEquals((refused.cause as { code?: string }).code, "ECONNREFUSED");
  assert(slow.cause === undefined, "a timeout is retried");
  // A lost master is a plain Error: the SSH source retries it.
  const lost = sshFailure("n3", "", { lost: true });
  assert(!(lost instanceof UserFacingError));
  assertMatch(lost.message, /^lost the master connection to n3/);
});

Deno.test("chooseTransport: auto follows PATH, openssh without ssh is a clear error", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assertEquals((await chooseTransport("auto", dir)).transport, "builtin");
    assertEquals((await chooseTransport("builtin", "/usr/bin:/bin")).transport, "builtin");
    await Deno.writeTextFile(`${dir}/ssh`, "#!/bin/sh\n");
    await Deno.chmod(`${dir}/ssh`, 0o755);
    const c = await chooseTransport("auto", dir);
    assertEquals([c.transport, c.ssh, c.why], [
      "openssh",
      `${dir}/ssh`,
      `auto chose openssh: ${dir}/ssh is on PATH`,
    ]);
    await assertRejects(
      () => chooseTransport("openssh", "/nonexistent"),
      /no ssh client was found on PATH/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
