import { NewlineBuffer } from "../../../src/core/newline_buffer.ts";
import { assert, assertEquals } from "../../_helpers/assert.ts";
import { prng } from "../../_helpers/prng.ts";

/** Reference: newlines in `bytes`, the longest line before one, the last one's position. */
function reference(bytes: Uint8Array): { count: number; longest: number; last: number } {
  let count = 0;
  let longest = 0;
  let last = -1;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 10) continue;
    count++;
    longest = Math.max(longest, i - last - 1);
    last = i;
  }
  return { count, longest, last };
}

Deno.test("NewlineBuffer counts newlines as a byte-by-byte loop does, with WebAssembly and without", () => {
  const rnd = prng(7);
  const simd = new NewlineBuffer(64);
  const plain = new NewlineBuffer(64, false);
  assert(!simd.vectorized, "plain bytes until the buffer grows");
  simd.grow(65);
  plain.grow(65);
  assert(simd.vectorized, "WebAssembly SIMD is at hand in Deno");
  assert(!plain.vectorized);
  for (let c = 0; c < 4000; c++) {
    // Lengths around the 16-byte blocks, newlines from none to nearly every byte, and bytes
    // that differ from 10 by one bit or sign (128 + 10).
    const len = Math.floor(rnd() ** 2 * 600);
    const density = rnd();
    const bytes = new Uint8Array(len);
    for (let i = 0; i < len; i++) {
      bytes[i] = rnd() < density ? 10 : [11, 8, 138, 0xff, 0x61][Math.floor(rnd() * 5)];
    }
    const want = reference(bytes);
    for (const buf of [simd, plain]) {
      buf.grow(len).set(bytes);
      // Stale bytes past len must not count.
      buf.bytes.fill(10, len, Math.min(buf.bytes.length, len + 40));
      const where = `case ${c} (${buf.vectorized ? "wasm" : "plain"}, ${len} bytes)`;
      assertEquals(buf.scan(len), want.count, `${where}: count`);
      assertEquals(buf.lastNewline, want.last, `${where}: last newline`);
      // Exact from 15 bytes on; shorter only known to be shorter.
      if (want.longest >= 15) assertEquals(buf.longestLine, want.longest, `${where}: longest`);
      else assert(buf.longestLine < 15 && buf.longestLine <= want.longest, `${where}: short`);
    }
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
