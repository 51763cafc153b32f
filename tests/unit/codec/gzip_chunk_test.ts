import {
  crc32,
  crc32ByNibble,
  crc32js,
  encodeMember,
  encodeMemberAsync,
  inflateMember,
  reframeMember,
  scanMembers,
  storeMember,
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
  // The half-byte sum (small data before the full table exists) as well, every byte value.
  const bytes = Uint8Array.from({ length: 4099 }, (_, i) => (i * 131 + (i >> 8)) & 255);
  for (const n of [0, 1, 2, 255, 256, 4095, 4099]) {
    assertEquals(crc32ByNibble(bytes.subarray(0, n)), crc32(bytes.subarray(0, n)), `${n} bytes`);
  }
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

Deno.test("members of text in shared memory (as the history writer makes them) encode every way", async () => {
  const text = new TextEncoder().encode("shared ✓ line\n".repeat(3000));
  const shared = new Uint8Array(new SharedArrayBuffer(text.length));
  shared.set(text);
  for (
    const member of [
      await encodeMemberAsync(shared, { l: 1 }),
      encodeMember(shared, { l: 1 }, 1),
      storeMember(shared, { l: 1 }),
    ]
  ) {
    const { members } = scanMembers<{ l: number }>(member);
    assertEquals(members.map((m) => m.meta?.l), [1]);
    assertEquals(inflateMember(member, members[0]), text);
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

Deno.test("stored members (no compressor) read back and are valid gzip, across block limits", async () => {
  const sizes = [0, 1, 2047, 65535, 65536, 65537, 200_000];
  const datas = sizes.map((n) => {
    const d = new Uint8Array(n);
    for (let i = 0; i < n; i++) d[i] = (i * 7 + (i >> 8)) & 0xff;
    return d;
  });
  const members = datas.map((d, i) => storeMember(d, { l: i + 1 }));
  const all = new Uint8Array(members.reduce((a, m) => a + m.length, 0));
  let o = 0;
  for (const m of members) {
    all.set(m, o);
    o += m.length;
  }
  const scan = scanMembers<{ l: number }>(all);
  assertEquals(scan.end, all.length);
  assertEquals(scan.members.map((m) => m.meta?.l), sizes.map((_, i) => i + 1));
  scan.members.forEach((m, i) => assertEquals(inflateMember(all, m), datas[i], `size ${sizes[i]}`));
  const gunzip = new Deno.Command("gzip", { args: ["-dc"], stdin: "piped", stdout: "piped" })
    .spawn();
  const outP = gunzip.output(); // read while writing: the pipe holds less than the output
  const w = gunzip.stdin.getWriter();
  await w.write(all);
  await w.close();
  const out = await outP;
  assert(out.success, "gunzip reads it");
  assertEquals(out.stdout.length, sizes.reduce((a, b) => a + b, 0));
  assertEquals(out.stdout.subarray(0, 2047 + 1), new Uint8Array([...datas[1], ...datas[2]]));
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
