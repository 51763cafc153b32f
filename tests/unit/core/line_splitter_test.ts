import { deepStrictEqual } from "node:assert";
import { collapseCarriageReturns, LineSplitter } from "../../../src/core/line_splitter.ts";
import { batchLines, type LineBatch } from "../../../src/core/line_batch.ts";
import { assert } from "../../_helpers/assert.ts";

const enc = new TextEncoder();

function collect(s: LineSplitter, chunks: (string | Uint8Array)[], final = true) {
  const out: { lines: string[]; batch: LineBatch }[] = [];
  for (const c of chunks) {
    const b = s.push(typeof c === "string" ? enc.encode(c) : c);
    if (b) out.push({ lines: batchLines(b), batch: b });
  }
  if (final) {
    const b = s.flush();
    if (b) out.push({ lines: batchLines(b), batch: b });
  }
  return out;
}

Deno.test("LineSplitter holds a partial line until its newline arrives", () => {
  const s = new LineSplitter();
  deepStrictEqual(s.push(enc.encode("hel")), null);
  const b = s.push(enc.encode("lo\nwor"))!;
  deepStrictEqual(batchLines(b), ["hello"]);
  deepStrictEqual(b.firstLine, 1);
  deepStrictEqual(b.endOffset, 6);
  const b2 = s.push(enc.encode("ld\n"))!;
  deepStrictEqual(batchLines(b2), ["world"]);
  deepStrictEqual(b2.firstLine, 2);
  deepStrictEqual(b2.startOffset, 6);
});

Deno.test("LineSplitter emits the unterminated tail on flush", () => {
  const out = collect(new LineSplitter(), ["a\nb\nlast"]);
  deepStrictEqual(out.flatMap((o) => o.lines), ["a", "b", "last"]);
});

Deno.test("LineSplitter splits every byte boundary identically", () => {
  const text = "alpha\r\nbeta ünïcödé 😀\n\ngamma 50%\rgamma 60%\rgamma 70%\ndelta\n";
  const bytes = enc.encode(text);
  const expected = ["alpha", "beta ünïcödé 😀", "", "gamma 70%", "delta"];
  for (let cut = 0; cut <= bytes.length; cut++) {
    const out = collect(new LineSplitter(), [bytes.slice(0, cut), bytes.slice(cut)]);
    deepStrictEqual(out.flatMap((o) => o.lines), expected, `cut at ${cut}`);
  }
  // and one byte at a time
  const s = new LineSplitter();
  const all: string[] = [];
  for (const byte of bytes) {
    const b = s.push(new Uint8Array([byte]));
    if (b) all.push(...batchLines(b));
  }
  deepStrictEqual(all, expected);
});

Deno.test("LineSplitter collapses carriage-return progress to the latest state", () => {
  deepStrictEqual(collapseCarriageReturns("10%\r20%\r30%"), "30%");
  deepStrictEqual(collapseCarriageReturns("10%\r20%\r"), "20%");
  deepStrictEqual(collapseCarriageReturns("plain\r"), "plain");
  const s = new LineSplitter();
  s.push(enc.encode("Downloading 10%\rDownloading 20%\r"));
  deepStrictEqual(s.takeProgress(), "Downloading 20%");
  deepStrictEqual(s.takeProgress(), undefined);
  const b = s.push(enc.encode("Downloading 100%\n"))!;
  deepStrictEqual(batchLines(b), ["Downloading 100%"]);
});

Deno.test("LineSplitter replaces invalid UTF-8 and keeps NUL bytes", () => {
  const bytes = new Uint8Array([0x61, 0xff, 0xfe, 0x62, 0x00, 0x63, 0x0a]);
  const out = collect(new LineSplitter(), [bytes]);
  deepStrictEqual(out[0].lines, ["a\ufffd\ufffdb\u0000c"]);
});

Deno.test("LineSplitter cuts an over-long line into marked pieces without holding it all", () => {
  const s = new LineSplitter({ maxLineBytes: 1000 });
  const out: string[] = [];
  const truncated: number[] = [];
  for (let i = 0; i < 10; i++) {
    const b = s.push(enc.encode("x".repeat(777)));
    if (b) {
      batchLines(b).forEach((l, k) => {
        if (b.truncated?.includes(k)) truncated.push(out.length);
        out.push(l);
      });
    }
    assert(s.pendingBytes <= 1000 + 777, `held ${s.pendingBytes} bytes`);
  }
  const b = s.push(enc.encode("\nnext\n"))!;
  batchLines(b).forEach((l, k) => {
    if (b.truncated?.includes(k)) truncated.push(out.length);
    out.push(l);
  });
  deepStrictEqual(out.join("").length, 7770 + 4);
  assert(out.slice(0, -2).every((l) => l.length <= 1000));
  deepStrictEqual(out[out.length - 1], "next");
  // 7770 bytes at a 1000-byte cap: eight pieces, every one marked (the last one too).
  deepStrictEqual(truncated, [0, 1, 2, 3, 4, 5, 6, 7]);
});

/** Lines of `out` with a `*` after each piece marked truncated. */
function marked(out: { lines: string[]; batch: LineBatch }[]): string[] {
  return out.flatMap((o) => o.lines.map((l, k) => o.batch.truncated?.includes(k) ? `${l}*` : l));
}

Deno.test("LineSplitter marks the last piece of a cut line truncated, in one read or many", () => {
  // One read: the whole line and its newline (slow path).
  deepStrictEqual(
    marked(collect(new LineSplitter({ maxLineBytes: 8 }), ["a\n0123456789ab\nz\n"])),
    [
      "a",
      "01234567*",
      "89ab*",
      "z",
    ],
  );
  // The line's head cut while its newline was still to come; the end arrives with short lines
  // only (the fast path) — and at the end of the stream, unterminated.
  deepStrictEqual(
    marked(
      collect(new LineSplitter({ maxLineBytes: 8 }), ["0123456789", "ab\nz\n", "0123456789xy"]),
    ),
    ["01234567*", "89ab*", "z", "01234567*", "89xy*"],
  );
});

Deno.test("LineSplitter keeps a small cap as given (not raised to 16 bytes)", () => {
  const out = collect(new LineSplitter({ maxLineBytes: 5 }), ["abcdefghij\n"]);
  deepStrictEqual(marked(out), ["abcde*", "fghij*"]);
  let threw = false;
  try {
    new LineSplitter({ maxLineBytes: 3 });
  } catch (err) {
    threw = err instanceof RangeError;
  }
  assert(threw, "a cap below the longest UTF-8 character is refused");
});

Deno.test("LineSplitter never cuts a multi-byte character at the cap", () => {
  const s = new LineSplitter({ maxLineBytes: 16 });
  const out = collect(s, ["ééééééééééééééééééééé\n"]);
  const lines = out.flatMap((o) => o.lines);
  deepStrictEqual(lines.join(""), "ééééééééééééééééééééé");
  assert(lines.every((l) => !l.includes("\ufffd")));
});

Deno.test("LineSplitter counts offsets and line numbers across zero-copy commits", () => {
  const s = new LineSplitter({ startOffset: 100, firstLine: 7 });
  const data = enc.encode("one\ntwo\nthr");
  s.reserve(data.length).set(data);
  const b = s.commit(data.length)!;
  deepStrictEqual([b.firstLine, b.count, b.startOffset, b.endOffset], [7, 2, 100, 108]);
  deepStrictEqual(s.committedOffset, 108);
});

Deno.test("LineSplitter gives the same lines after compact() shrinks a grown buffer", () => {
  const text =
    Array.from({ length: 30_000 }, (_, i) => `line ${i} ${"x".repeat(i % 50)}`).join("\n") +
    "\npartial";
  const bytes = enc.encode(text);
  const big = new LineSplitter();
  const small = new LineSplitter();
  const a: string[] = [];
  const b: string[] = [];
  // Big reads grow the buffer to 1 MB; compact() after each read must not lose the held tail.
  for (let pos = 0; pos < bytes.length; pos += 700_001) {
    const chunk = bytes.subarray(pos, pos + 700_001);
    const view = big.reserve(chunk.length);
    view.set(chunk);
    const r = big.commit(chunk.length);
    if (r) a.push(...batchLines(r));
    big.compact();
  }
  for (let pos = 0; pos < bytes.length; pos += 4096) {
    const r = small.push(bytes.subarray(pos, pos + 4096));
    if (r) b.push(...batchLines(r));
  }
  for (const [s, out] of [[big, a], [small, b]] as const) {
    const r = s.flush();
    if (r) out.push(...batchLines(r));
  }
  deepStrictEqual(a.length, 30_001);
  deepStrictEqual(a, b);
  deepStrictEqual(big.committedOffset, small.committedOffset);
});

Deno.test("LineSplitter hands on at most maxBatchLines lines per batch, the rest through next()", () => {
  for (const text of ["a\nb\nc\nd\ne\nf\ng\ntail", "a\r1\nb\nc\nd\ne\nf\ng\ntail"]) {
    const s = new LineSplitter({ maxBatchLines: 3 });
    const got: [number, number, number, string[]][] = [];
    for (let b = s.push(enc.encode(text)); b; b = s.next()) {
      got.push([b.firstLine, b.startOffset, b.endOffset, batchLines(b)]);
    }
    const first = text.startsWith("a\r") ? "1" : "a";
    const o = text.startsWith("a\r") ? 2 : 0;
    deepStrictEqual(got, [
      [1, 0, 6 + o, [first, "b", "c"]],
      [4, 6 + o, 12 + o, ["d", "e", "f"]],
      [7, 12 + o, 14 + o, ["g"]],
    ]);
    deepStrictEqual(batchLines(s.flush()!), ["tail"]);
  }
});
