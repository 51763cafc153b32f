/**
 * Fuzz: random byte streams (newlines, CRs, multi-byte and invalid UTF-8, controls, C1, bidi)
 * fed to the line splitter in random pieces must give exactly the lines of a plain reference
 * model, with true offsets and line numbers; and the neutraliser must match its own reference
 * model on what comes out. Seeded, so a failure names a case that reproduces.
 */
import { LineSplitter } from "../../../src/core/line_splitter.ts";
import { batchLines } from "../../../src/core/line_batch.ts";
import { escapeJsonControls, neutralize } from "../../../src/core/terminal_safe.ts";
import { assert, assertEquals } from "../../_helpers/assert.ts";
import { prng } from "../../_helpers/prng.ts";

const enc = new TextEncoder();
const PIECES: Uint8Array[] = [
  "a",
  "b",
  "line ",
  "\n",
  "\n",
  "\r",
  "\r\n",
  "é",
  "€",
  "😀",
  "\t",
  "\x1b",
  "\x1bc",
  "\x1b[31m",
  "\x1b[0m",
  "\x1b]0;t\x07",
  "\u009b",
  "\u0085",
  "\u202e",
  "\u2066",
  "\x7f",
  "\x00",
].map((s) => enc.encode(s)).concat([
  new Uint8Array([0xff]),
  new Uint8Array([0x80]),
  new Uint8Array([0xe2, 0x82]), // a character cut short
  new Uint8Array([0xc3]),
]);

/**
 * Pieces without a carriage return: the splitter's fast path (lines counted by the newline
 * buffer) takes a read only when it has none.
 */
const NO_CR = PIECES.filter((p) => !p.includes(13));

function randomStream(rnd: () => number, pieces = PIECES): Uint8Array {
  const n = Math.floor(rnd() * 400);
  const parts: Uint8Array[] = [];
  let len = 0;
  for (let i = 0; i < n; i++) {
    const long = rnd() < 0.5 ? "x" : "é";
    const p = rnd() < 0.05
      ? enc.encode(long.repeat(Math.floor(rnd() * 120)))
      : pieces[Math.floor(rnd() * pieces.length)];
    parts.push(p);
    len += p.length;
  }
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/** Reference: the latest state of a `\r`-rewritten line. */
function lastState(s: string): string {
  const segs = s.replace(/\r+$/, "").split("\r");
  for (let k = segs.length - 1; k >= 0; k--) if (segs[k] !== "") return segs[k];
  return "";
}

/** Reference model of the splitter: whole stream at once, one line at a time. */
function model(bytes: Uint8Array, maxLine: number): { lines: string[]; cut: boolean[] } {
  const lines: string[] = [];
  const cut: boolean[] = [];
  let start = 0;
  while (start < bytes.length) {
    let nl = bytes.indexOf(10, start);
    const end = nl === -1 ? bytes.length : nl;
    let pos = start;
    while (end - pos > maxLine) {
      let c = pos + maxLine;
      for (let k = 0; k < 3 && c > 0 && (bytes[c] & 0xc0) === 0x80; k++) c--;
      lines.push(decoder.decode(bytes.subarray(pos, c)));
      cut.push(true);
      pos = c;
    }
    lines.push(lastState(decoder.decode(bytes.subarray(pos, end))));
    cut.push(pos > start); // the last piece of a cut line is marked too

    if (nl === -1) nl = bytes.length;
    start = nl + 1;
  }
  return { lines, cut };
}

/**
 * Random streams of `pieces` split at random points must give the reference model's lines. With
 * `strings`, the splitter is asked to pick out the lines holding one of them: a batch of picked
 * lines must then hold exactly the model's lines that hold one (numbered as the model numbers
 * them), and a batch of all lines is filtered the same way to compare.
 */
function fuzzSplitter(seed: number, pieces: Uint8Array[], strings?: string[]): void {
  const rnd = prng(seed);
  const t0 = Date.now();
  let picked = 0;
  for (let c = 0; c < 3000; c++) {
    const bytes = randomStream(rnd, pieces);
    const maxLine = rnd() < 0.3 ? 4 + Math.floor(rnd() * 76) : 1 << 20;
    const preselect = strings && (() => ({ key: strings.join("|"), strings }));
    const s = new LineSplitter({ maxLineBytes: maxLine, preselect });
    // Half the cases read as a catch-up does: a large view first grows the buffer, whose lines
    // are then counted by the WebAssembly scan, not the loop.
    if (rnd() < 0.5) s.reserve(1 << 17);
    const got: string[] = [];
    const cut: boolean[] = [];
    let expectOffset = 0;
    let expectLine = 1;
    const take = (b: ReturnType<LineSplitter["flush"]>) => {
      if (!b) return;
      const where = `case ${c}`;
      assertEquals(b.startOffset, expectOffset, `${where}: batch start offset`);
      assertEquals(b.firstLine, expectLine, `${where}: first line`);
      if (b.preselected) {
        picked++;
        assertEquals(b.text, "", `${where}: no text beside the picked lines`);
        const ls = b.preselected.text.split("\n").slice(0, -1);
        assertEquals(ls.length, b.preselected.at.length, `${where}: a number per picked line`);
        ls.forEach((l, i) => {
          const at = b.preselected!.at[i];
          assert(at >= 0 && at < b.count, `${where}: picked line within the batch`);
          got.push(`${b.firstLine + at}:${l}`);
          cut.push(b.truncated?.includes(at) ?? false);
        });
      } else {
        batchLines(b).forEach((l, i) => {
          if (strings && !strings.some((t) => l.includes(t))) return;
          got.push(strings ? `${b.firstLine + i}:${l}` : l);
          cut.push(b.truncated?.includes(i) ?? false);
        });
      }
      expectOffset = b.endOffset;
      expectLine += b.count;
    };
    let pos = 0;
    while (pos < bytes.length) {
      const n = Math.min(bytes.length - pos, 1 + Math.floor(rnd() ** 2 * 200));
      if (rnd() < 0.5) take(s.push(bytes.subarray(pos, pos + n)));
      else {
        s.reserve(n).set(bytes.subarray(pos, pos + n));
        take(s.commit(n));
      }
      pos += n;
      assert(s.committedOffset + s.pendingBytes === pos, `case ${c}: offset + held = read`);
    }
    take(s.flush());
    const all = model(bytes, maxLine);
    const keep = all.lines.map((_, i) => !strings || strings.some((t) => all.lines[i].includes(t)));
    const want = {
      lines: all.lines.flatMap((l, i) => keep[i] ? [strings ? `${i + 1}:${l}` : l] : []),
      cut: all.cut.filter((_, i) => keep[i]),
    };
    assertEquals(got, want.lines, `case ${c} (maxLine ${maxLine})`);
    assertEquals(cut, want.cut, `case ${c}: truncated marks`);
    assertEquals(s.committedOffset, bytes.length, `case ${c}: final offset`);
  }
  if (strings) assert(picked > 500, `only ${picked} batches of picked lines`);
  assert(Date.now() - t0 < 5000, `fuzz took ${Date.now() - t0} ms`);
}

Deno.test("LineSplitter fuzz: random streams split at random points equal the reference model", () => {
  fuzzSplitter(20261202, PIECES);
});

Deno.test("LineSplitter fuzz: streams without carriage returns (the counted fast path), lines near the cap", () => {
  fuzzSplitter(20261207, NO_CR);
});

Deno.test("LineSplitter fuzz: picking out the lines that hold some strings gives the model's lines that do", () => {
  fuzzSplitter(20261208, PIECES, ["line", "b\t", "xxx", "\x1b[3"]);
  fuzzSplitter(20261209, NO_CR, ["a", "line a", "x".repeat(24)]);
});

/** Reference model of the neutraliser: character by character. */
function neutralModel(s: string, keepSgr: boolean): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    const c = s.charCodeAt(i);
    if (c === 0x1b) {
      // deno-lint-ignore no-control-regex
      const m = /^\x1b\[[0-9;:]*m/.exec(s.slice(i));
      if (m) {
        if (keepSgr) out += m[0];
        i += m[0].length - 1;
        continue;
      }
    }
    if (c === 9 || c === 10) out += ch;
    else if (c < 0x20) out += String.fromCharCode(0x2400 + c);
    else if (c === 0x7f) out += "\u2421";
    else if (
      (c >= 0x80 && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)
    ) {
      out += "\\u" + c.toString(16).padStart(4, "0");
    } else out += ch;
  }
  return out;
}

Deno.test("neutralize fuzz: split lines from random streams equal the reference model, only SGR escapes survive", () => {
  const rnd = prng(11);
  const t0 = Date.now();
  let risky = 0;
  for (let c = 0; c < 3000; c++) {
    const bytes = randomStream(rnd);
    const s = new LineSplitter();
    const lines: string[] = [];
    let pos = 0;
    while (pos < bytes.length) {
      const n = Math.min(bytes.length - pos, 1 + Math.floor(rnd() * 300));
      const b = s.push(bytes.subarray(pos, pos + n));
      if (b) lines.push(...batchLines(b));
      pos += n;
    }
    const f = s.flush();
    if (f) lines.push(...batchLines(f));
    for (const line of lines) {
      const keepSgr = rnd() < 0.7;
      const out = neutralize(line, { keepSgr });
      assertEquals(out, neutralModel(line, keepSgr), `case ${c}: ${JSON.stringify(line)}`);
      // deno-lint-ignore no-control-regex
      const left = out.replace(/\x1b\[[0-9;:]*m/g, "");
      // deno-lint-ignore no-control-regex
      assert(!/[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/.test(left), `case ${c}`);
      if (out !== line) risky++;
      else assert(out === line, "untouched text is returned as is");
      // JSON: lossless, and no raw C1 or bidi left.
      const json = escapeJsonControls(JSON.stringify(line));
      assertEquals(JSON.parse(json), line, `case ${c}: JSON round trip`);
      assert(!/[\x80-\x9f\u202a-\u202e\u2066-\u2069]/.test(json), `case ${c}: raw C1/bidi in JSON`);
    }
  }
  assert(risky > 1000, `the fuzz must exercise controls (${risky} lines changed)`);
  assert(Date.now() - t0 < 5000, `fuzz took ${Date.now() - t0} ms`);
});
