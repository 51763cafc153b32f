import { EXACT_LONGEST, NewlineBuffer } from "../../../src/core/newline_buffer.ts";
import { LINE_INDEX_BLOCK as BLOCK } from "../../../src/core/line_batch.ts";
import { assert, assertEquals } from "../../_helpers/assert.ts";
import { prng } from "../../_helpers/prng.ts";

/** Reference: newlines in `bytes`, the longest line before one, the last one's position. */
function reference(
  bytes: Uint8Array,
): { count: number; longest: number; last: number; index: number[] } {
  let count = 0;
  let longest = 0;
  let last = -1;
  const index: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    if (i % BLOCK === 0) index.push(count);
    if (bytes[i] !== 10) continue;
    count++;
    longest = Math.max(longest, i - last - 1);
    last = i;
  }
  return { count, longest, last, index };
}

Deno.test("NewlineBuffer counts newlines as a byte-by-byte loop does", () => {
  const rnd = prng(7);
  const simd = new NewlineBuffer(64);
  const plain = new NewlineBuffer(64, false);
  assert(!simd.vectorized, "plain bytes until the buffer grows");
  simd.grow(65);
  plain.grow(65);
  assert(simd.vectorized, "WebAssembly SIMD is at hand in Deno");
  assert(!plain.vectorized);
  let threw = false;
  try {
    plain.scan(1);
  } catch {
    threw = true;
  }
  assert(threw, "a plain buffer is not scanned (the splitter counts its lines itself)");
  for (let c = 0; c < 4000; c++) {
    // Lengths around the 64-byte steps, newlines from none to nearly every byte, and bytes
    // that differ from 10 by one bit or sign (128 + 10).
    const len = Math.floor(rnd() ** 2 * 1200);
    const density = rnd();
    const bytes = new Uint8Array(len);
    for (let i = 0; i < len; i++) {
      bytes[i] = rnd() < density ? 10 : [11, 8, 138, 0xff, 0x61][Math.floor(rnd() * 5)];
    }
    const want = reference(bytes);
    simd.grow(len).set(bytes);
    // Stale bytes past len must not count.
    simd.bytes.fill(10, len, Math.min(simd.bytes.length, len + 40));
    const where = `case ${c} (${len} bytes)`;
    assertEquals(simd.scan(len), want.count, `${where}: count`);
    assertEquals(simd.lastNewline, want.last, `${where}: last newline`);
    // Exact from EXACT_LONGEST bytes on; shorter only known to be shorter.
    if (want.longest >= EXACT_LONGEST) {
      assertEquals(simd.longestLine, want.longest, `${where}: longest`);
    } else {
      assert(
        simd.longestLine < EXACT_LONGEST && simd.longestLine <= want.longest,
        `${where}: short`,
      );
    }
    assertEquals([...simd.blockIndex(len)!], want.index, `${where}: block index`);
    const part = Math.floor(rnd() * (len + 1));
    assertEquals([...simd.blockIndex(part)!], want.index.slice(0, Math.ceil(part / BLOCK)));
    assertEquals(simd.blockIndex(len + 1), undefined, `${where}: no index past the scan`);
    assertEquals(plain.blockIndex(len), undefined, `${where}: no index without WebAssembly`);
  }
});

Deno.test("NewlineBuffer keeps its bytes when it grows, into WebAssembly memory and within it", () => {
  const buf = new NewlineBuffer(100);
  let first = buf.bytes.length;
  assert(first >= 100);
  buf.bytes.set(new TextEncoder().encode("one\ntwo\n"));
  buf.grow(first + 1);
  assert(buf.vectorized);
  first = buf.bytes.length;
  const grown = buf.grow(first * 3);
  assert(grown.length >= first * 3 && buf.bytes === grown);
  assertEquals(new TextDecoder().decode(grown.subarray(0, 8)), "one\ntwo\n");
  grown[first * 2] = 10;
  assertEquals(buf.scan(first * 2 + 1), 3);
  assertEquals(buf.lastNewline, first * 2);
  let threw = false;
  try {
    buf.scan(buf.bytes.length + 1);
  } catch (err) {
    threw = err instanceof RangeError;
  }
  assert(threw, "a scan past the buffer is refused");
});

Deno.test("NewlineBuffer picks the lines holding one of its strings as a per-line check does", () => {
  const rnd = prng(21);
  const buf = new NewlineBuffer(64);
  buf.grow(1 << 16);
  const plain = new NewlineBuffer(64, false);
  plain.grow(1 << 16);
  assert(!plain.lookFor("x", ["ab"]), "no picking without WebAssembly");
  assert(!buf.lookFor("é", ["é"]), "ASCII strings only");
  assert(!buf.lookFor("empty", ["a", ""]), "no empty string");
  const alphabet = "abcERORWNerorwn@`[{ \t-";
  const word = (n: number) =>
    Array.from({ length: n }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join("");
  for (let c = 0; c < 3000; c++) {
    const strings = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => {
      const t = rnd() < 0.3 ? ["ERROR", "WARN", "E", "RR", "a-b", "@x"][Math.floor(rnd() * 6)] : "";
      return t || word(1 + Math.floor(rnd() ** 2 * 12));
    });
    // Some strings whatever their case (as under `(?i)`): a letter either way, but `@` is not
    // `` ` `` and `[` is not `{` (they differ by the same bit).
    const caseless = strings.map(() => rnd() < 0.4);
    const holds = (l: string, t: string, i: boolean) =>
      i ? new RegExp(t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "i").test(l) : l.includes(t);
    // Lines short and long (past several 64-byte steps), the strings dropped in here and there.
    const lines = Array.from({ length: Math.floor(rnd() * 60) }, () => {
      let l = word(Math.floor(rnd() ** 3 * 300));
      if (rnd() < 0.3) {
        const at = Math.floor(rnd() * (l.length + 1));
        // (its letters' case flipped at random, half the time)
        const t = strings[Math.floor(rnd() * strings.length)].replace(
          /[a-z]/gi,
          (ch) => rnd() < 0.5 ? ch : ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase(),
        );
        l = l.slice(0, at) + t + l.slice(at);
      }
      return l;
    });
    const text = lines.map((l) => l + "\n").join("");
    const bytes = new TextEncoder().encode(text);
    buf.grow(bytes.length);
    buf.bytes.set(bytes);
    // Bytes after the run that would make a string (and a newline) must not count.
    buf.bytes.fill(0x45, bytes.length, Math.min(buf.bytes.length, bytes.length + 80));
    assert(buf.lookFor(`${c}`, strings, caseless));
    const where = `case ${c} (${JSON.stringify(strings)}, caseless ${caseless})`;
    assertEquals(buf.scan(bytes.length, true), lines.length, `${where}: count`);
    const want = lines.map((l, i) => [i, l] as const).filter(([, l]) =>
      strings.some((t, k) => holds(l, t, caseless[k]))
    );
    const got = buf.picked()!;
    assertEquals(
      new TextDecoder().decode(got.bytes),
      want.map(([, l]) => l + "\n").join(""),
      `${where}: lines`,
    );
    assertEquals([...got.lines], want.map(([i]) => i), `${where}: numbers`);
    const ref = reference(bytes);
    assertEquals([...buf.blockIndex(bytes.length)!], ref.index, `${where}: index`);
    assertEquals(buf.lastNewline, ref.last, `${where}: last newline`);
    // Without picking, the same count and nothing picked.
    assertEquals(buf.scan(bytes.length), lines.length);
    assertEquals(buf.picked(), undefined);
  }
});
