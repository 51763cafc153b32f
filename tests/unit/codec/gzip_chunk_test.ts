import { crc32, crc32js, encodeMember, toLevel } from "../../../src/codec/gzip_chunk.ts";
import { assert, assertEquals } from "../../_helpers/assert.ts";

Deno.test("gzip members use native deflate and CRC-32 and stay valid gzip for gunzip", async () => {
  const samples = [
    new Uint8Array(0),
    new TextEncoder().encode("a\n"),
    new TextEncoder().encode("ünïcödé line\n".repeat(5000)),
  ];
  for (const d of samples) assertEquals(crc32(d), crc32js(d), "CRC-32 agrees with the reference");
  const dir = await Deno.makeTempDir();
  try {
    const text = "line one\nline two ERROR\n".repeat(2000);
    const data = new TextEncoder().encode(text);
    // Two members, one stored (level 0) and one compressed, concatenated: one gzip file.
    const file = `${dir}/x.gz`;
    const a = encodeMember(data, { l: 1 }, toLevel(0));
    const b = encodeMember(data, { l: 4001 }, toLevel(6));
    assert(b.length < a.length / 5, `level 6 compresses (${b.length} vs ${a.length})`);
    await Deno.writeFile(file, new Uint8Array([...a, ...b]));
    const out = await new Deno.Command("gzip", { args: ["-dc", file] }).output();
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    assertEquals(new TextDecoder().decode(out.stdout), text + text);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
