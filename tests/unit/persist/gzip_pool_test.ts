import { GzipPool } from "../../../src/persist/gzip_pool.ts";
import { inflateMember, scanMembers } from "../../../src/codec/gzip_chunk.ts";
import { assert, assertEquals } from "../../_helpers/assert.ts";

function readBack(member: Uint8Array): { meta: unknown; text: string } {
  const [m] = scanMembers(member).members;
  return { meta: m.meta, text: new TextDecoder().decode(inflateMember(member, m)) };
}

Deno.test("GzipPool: copies data until its worker runs, then hands it over; members are right either way", async () => {
  const pool = new GzipPool(1);
  try {
    const texts = Array.from({ length: 6 }, (_, i) => `member ${i} ü\n`.repeat(5000 + i));
    // The worker says it runs before it answers a job: the first job is copied (its data kept).
    const first = new TextEncoder().encode(texts[0]);
    const out0 = await pool.encode(first, { l: 1 }, 6);
    assertEquals(first.length, new TextEncoder().encode(texts[0]).length, "copied: data kept");
    assertEquals(readBack(out0), { meta: { l: 1 }, text: texts[0] });
    // Later jobs hand their memory over (the buffer is detached), several in flight at once.
    const datas = texts.slice(1).map((t) => new TextEncoder().encode(t));
    const outs = datas.map((d, i) => pool.encode(d, { l: i + 2 }, 6));
    for (const d of datas) assertEquals(d.buffer.byteLength, 0, "handed over, not copied");
    for (const [i, o] of (await Promise.all(outs)).entries()) {
      assertEquals(readBack(o), { meta: { l: i + 2 }, text: texts[i + 1] });
    }
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
