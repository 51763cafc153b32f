import {
  crc32,
  crc32js,
  encodeMember,
  encodeMemberAsync,
  inflateMember,
  reframeMember,
  scanMembers,
  toLevel,
} from "../../../src/codec/gzip_chunk.ts";
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

Deno.test("members made by CompressionStream read back and are valid gzip", async () => {
  const text = new TextEncoder().encode("line one ✓\nline two\n".repeat(500));
  const member = await encodeMemberAsync(text, { l: 7, r: [[1000, 1]] });
  const twice = new Uint8Array(member.length * 2);
  twice.set(member);
  twice.set(member, member.length);
  const { members, end } = scanMembers<{ l: number }>(twice);
  assertEquals(end, twice.length);
  assertEquals(members.map((m) => m.meta?.l), [7, 7]);
  assertEquals(inflateMember(twice, members[1]), text);
  const gunzip = new Deno.Command("gzip", { args: ["-dc"], stdin: "piped", stdout: "piped" })
    .spawn();
  const w = gunzip.stdin.getWriter();
  await w.write(twice);
  await w.close();
  const out = await gunzip.output();
  assert(out.success, "gunzip reads it");
  assertEquals(out.stdout.length, text.length * 2);
});

Deno.test("reframeMember gives a member other metadata and the same data, still valid gzip", async () => {
  const text = "ab ünï 😀\n".repeat(3000);
  const data = new TextEncoder().encode(text);
  const a = encodeMember(data, { l: 1 }, toLevel(6));
  const b = reframeMember(a, { l: 1, s: { id: "x", part: 2 } });
  const [m] = scanMembers(b).members;
  assertEquals(m.meta, { l: 1, s: { id: "x", part: 2 } });
  assertEquals(m.size, data.length);
  assertEquals(new TextDecoder().decode(inflateMember(b, m)), text);
  const out = await new Deno.Command("gzip", { args: ["-dc"], stdin: "piped", stdout: "piped" })
    .spawn();
  const w = out.stdin.getWriter();
  await w.write(b);
  await w.close();
  const r = await out.output();
  assertEquals(r.code, 0, "gzip checks the kept CRC and size");
  assertEquals(new TextDecoder().decode(r.stdout), text);
});
