/**
 * The shared memory history members are made in: reused by size class, never more than the
 * limit kept, and nothing but its own buffers taken back.
 */
import { assert, assertEquals } from "../../_helpers/assert.ts";
import { releaseShared, sharedBytes } from "../../../src/persist/shared_members.ts";

Deno.test("sharedBytes: powers of two from 16 KB, in shared memory; a released buffer serves its size class again", () => {
  const a = sharedBytes(20_000);
  assert(a.buffer instanceof SharedArrayBuffer);
  assertEquals(a.length, 32 * 1024);
  assertEquals(sharedBytes(1).length, 16 * 1024);
  releaseShared(a);
  releaseShared(a); // twice: kept once
  const b = sharedBytes(30_000);
  assert(b.buffer === a.buffer, "the released buffer is used again");
  assert(sharedBytes(30_000).buffer !== a.buffer, "and only once");
  // Another class does not take it.
  releaseShared(b);
  assert(sharedBytes(40_000).buffer !== b.buffer);
  assert(sharedBytes(17_000).buffer === b.buffer);
});

Deno.test("releaseShared keeps at most 8 MB, giving up the longest kept; other buffers are left alone", () => {
  const first = sharedBytes(1024 * 1024);
  releaseShared(first);
  const big = Array.from({ length: 4 }, () => sharedBytes(1024 * 1024 + 1)); // 2 MB each
  for (const v of big) releaseShared(v); // 9 MB released: over the limit
  const again = Array.from({ length: 5 }, () => sharedBytes(1024 * 1024));
  assert(again.every((v) => v.buffer !== first.buffer), "the first released was given up");
  releaseShared(new Uint8Array(1024)); // not shared: ignored
  releaseShared(new Uint8Array(new SharedArrayBuffer(64 * 1024 * 1024))); // over the limit
  assertEquals(sharedBytes(64 * 1024 * 1024 - 1).length, 64 * 1024 * 1024);
});
