import { GzipPool } from "../../../src/persist/gzip_pool.ts";
import { inflateMember, scanMembers } from "../../../src/codec/gzip_chunk.ts";
import { assert, assertEquals } from "../../_helpers/assert.ts";
import { helperWorker, releaseHelperWorker } from "../../../src/platform/helper_worker.ts";

function readBack(member: Uint8Array): { meta: unknown; text: string } {
  const [m] = scanMembers(member).members;
  return { meta: m.meta, text: new TextDecoder().decode(inflateMember(member, m)) };
}

Deno.test("GzipPool: members wait for the worker to run, then each goes over in shared memory, nothing transferred", async () => {
  const pool = new GzipPool(1);
  try {
    const texts = Array.from({ length: 6 }, (_, i) => `member ${i} ü\n`.repeat(5000 + i));
    // Given at once, before the worker can have said it runs: they wait, then go over.
    const datas = texts.map((t) => new TextEncoder().encode(t));
    const outs = datas.map((d, i) => pool.encode(d, { l: i + 1 }, 6));
    for (const [i, o] of (await Promise.all(outs)).entries()) {
      assertEquals(readBack(o), { meta: { l: i + 1 }, text: texts[i] });
    }
    // Copied, not transferred: a transfer list makes the main thread load the runtime's web
    // streams (see post()).
    for (const [i, d] of datas.entries()) assertEquals(d.length, texts[i].length + 5000 + i);
    // And a member given once it runs goes over at once.
    const late = new TextEncoder().encode(texts[0]);
    const out = pool.encode(late, { l: 9 }, 1);
    assertEquals(late.length, texts[0].length + 5000, "not transferred");
    assertEquals(readBack(await out), { meta: { l: 9 }, text: texts[0] });
  } finally {
    pool.close();
  }
});

Deno.test("GzipPool without workers compresses inline and keeps the caller's data", async () => {
  const pool = new GzipPool(0);
  const data = new TextEncoder().encode("x\n".repeat(1000));
  const out = await pool.encode(data, { l: 5 }, 1);
  assert(data.length === 2000);
  assertEquals(readBack(out), { meta: { l: 5 }, text: "x\n".repeat(1000) });
  pool.close();
});

/** Whether a worker answers (it runs and was not ended). */
function answers(w: Worker, ms = 5000): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    w.addEventListener("message", function on(e: MessageEvent<{ running?: true }>) {
      if (!e.data.running) return;
      w.removeEventListener("message", on);
      clearTimeout(t);
      resolve(true);
    });
    w.postMessage({ hello: true });
  });
}

Deno.test("GzipPool's first worker is the helper worker: shared with another user, kept for it at close", async () => {
  const other = helperWorker(); // as the interrupt watchdog takes it
  assert(other !== undefined);
  const pool = new GzipPool(1);
  try {
    const text = "shared\n".repeat(20_000);
    const data = new TextEncoder().encode(text);
    assertEquals(readBack(await pool.encode(data, { l: 1 }, 2)), { meta: { l: 1 }, text });
    // The same worker: a second helperWorker() call returns it too.
    const again = helperWorker();
    assert(again === other, "one helper worker");
    releaseHelperWorker(again!);
  } finally {
    pool.close();
  }
  assert(await answers(other!), "the pool's close leaves the helper worker to its other user");
  releaseHelperWorker(other!);
  assert(!(await answers(other!, 300)), "ended once its last user is done");
});
