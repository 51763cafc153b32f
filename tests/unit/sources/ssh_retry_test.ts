/**
 * What SshFileSource tries again is decided by the error's type: an unreachable node is retried
 * up to retry_attempts, a refusal (host key, authentication) ends the stream at once — whatever
 * the words of either. The pool is a stand-in: only the retry decision is under test here (the
 * real connections are in tests/integration/ssh_*_test.ts).
 */
import { assert, assertEquals, assertRejects } from "../../_helpers/assert.ts";
import { sourceCollector } from "../../_helpers/source_collector.ts";
import { SshFileSource } from "../../../src/sources/ssh.ts";
import type { SshPool } from "../../../src/sources/ssh_pool.ts";
import { SshUnreachableError } from "../../../src/sources/ssh_unreachable_error.ts";
import { UserFacingError } from "../../../src/errors.ts";

/** A pool whose every SFTP request fails with `err`; counts the attempts. */
function failingPool(err: Error) {
  const pool = {
    attempts: 0,
    timeoutMs: 0,
    connected: () => false,
    sftp: () => {
      pool.attempts++;
      return Promise.reject(err);
    },
  };
  return pool;
}

Deno.test("SshFileSource retries an unreachable node by its error type, not its wording", async () => {
  const pool = failingPool(new SshUnreachableError('node "n1" did not answer within 1s'));
  const source = new SshFileSource("n1", "/tmp/x.out", {
    pool: pool as unknown as SshPool,
    retryAttempts: 3,
  });
  const c = sourceCollector();
  const err = await assertRejects(() => source.run(c.sink), /^failed: node "n1" did not answer/);
  assert(err instanceof UserFacingError);
  assertEquals(pool.attempts, 3);
  assertEquals(c.statuses.filter((s) => s.startsWith("retrying:")).length, 2);
});

Deno.test("SshFileSource ends at once on a refusal, even one that says it cannot connect", async () => {
  const refusal = new UserFacingError('cannot connect: host key for "n1" has changed');
  const pool = failingPool(refusal);
  const source = new SshFileSource("n1", "/tmp/x.out", {
    pool: pool as unknown as SshPool,
    retryAttempts: 3,
  });
  const c = sourceCollector();
  const err = await assertRejects(() => source.run(c.sink));
  assertEquals(err, refusal);
  assertEquals(pool.attempts, 1);
});
