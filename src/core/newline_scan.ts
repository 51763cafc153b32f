/**
 * The WebAssembly behind {@link ./newline_buffer.ts}, assembled here by hand (no toolchain reaches
 * our machines) from the few instructions it needs, each named below: one `scan` function per set
 * of strings to look for (none: a plain count), with the strings built into its code.
 *
 * Each instance works on the memory it is given (`{ env: { mem } }`), so the scans for several
 * sets can share one buffer. `scan(start, len, index, out, lines) → count` looks at
 * memory[start, start + len), a run of complete lines, sixty-four bytes per step (four SIMD
 * compares folded into one 64-bit mask) and returns how many newlines it holds. On the way it
 * stores
 * - at memory[0] the longest distance from one newline to the next (the first from start - 1),
 *   exact when it is 64 or more (closer pairs within one step are not compared), and at
 *   memory[4] the position of the last newline (start - 1 when none);
 * - at index + 4k the newlines before start + 64k;
 * - with strings: the lines holding one of them, as grep finds them: candidates where a string's
 *   first and last bytes are in place, each then checked whole; each such line is copied, with
 *   its newline, to out (one after the other), and its number within the run (from 0) stored at
 *   lines + 4h; memory[8] tells how many lines were copied, memory[12] their bytes.
 *
 * Bytes past the run (up to 64 + the longest string) are read and ignored, and up to 15 bytes
 * past the last copied line are written over: the memory must hold them.
 * @module
 */

// scan's parameters and locals, by index: eighteen i32 after the five parameters, five v128,
// four i64, then two v128 per string.
const START = 0, LEN = 1, INDEX = 2, OUT = 3, LINES = 4;
const I = 5, END = 6, COUNT = 7, PREV = 8, LONGEST = 9, GAP = 10, SKIP = 11, PENDING = 12;
const PENDING_START = 13, PENDING_LINE = 14, HITS = 15, OUT_LEN = 16, P = 17, J = 18;
const LINE_START = 19, Q = 20, T = 21, C = 22;
const V = [23, 24, 25, 26], NEWLINES = 27;
const NL = 28, CAND = 29, VALID = 30, BELOW = 31;
/**
 * The locals; `strings` add two v128 each (FIRST, LAST: their first and last byte × 16), then
 * one more, CASE (0x20 × 16: what tells an ASCII letter's cases apart).
 */
const locals = (strings: number) => [0x04, 18, 0x7f, 5, 0x7b, 4, 0x7e, 2 * strings + 1, 0x7b];
const FIRST = (n: number) => 32 + 2 * n;
const LAST = (n: number) => 33 + 2 * n;
const CASE = (strings: number) => 32 + 2 * strings;

/** The strings to look for, each byte with whether its case is ignored (an ASCII letter). */
interface Wanted {
  bytes: Uint8Array;
  /** Per byte: 0x20 where either case matches, else 0. */
  folds: Uint8Array;
}

function wanted(strings: Uint8Array[], caseless: boolean[] = []): Wanted[] {
  return strings.map((bytes, n) => ({
    bytes: bytes.map((b) => caseless[n] && isLetter(b) ? b | 0x20 : b),
    folds: bytes.map((b) => caseless[n] && isLetter(b) ? 0x20 : 0),
  }));
}

function isLetter(b: number): boolean {
  return (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7a;
}

/** Signed LEB128, as constants are written. */
function sleb(n: bigint | number): number[] {
  // (numbers while they fit 32 bits: BigInt arithmetic is slow before the code is optimized)
  if (typeof n === "number" && n === (n | 0)) {
    const out: number[] = [];
    while (true) {
      const low = n & 0x7f;
      n >>= 7;
      const done = (n === 0 && !(low & 0x40)) || (n === -1 && (low & 0x40));
      out.push(done ? low : low | 0x80);
      if (done) return out;
    }
  }
  let big = BigInt.asIntN(64, BigInt(n));
  const out: number[] = [];
  while (true) {
    const low = Number(big & 0x7fn);
    big >>= 7n;
    const done = (big === 0n && !(low & 0x40)) || (big === -1n && (low & 0x40));
    out.push(done ? low : low | 0x80);
    if (done) return out;
  }
}

/** Instructions as the builders below make them: bytes in nested arrays, flattened at the end. */
type Code = number | Code[];

/** The bytes of `code`, in order. */
function flat(code: Code[], out: number[] = []): number[] {
  for (const c of code) {
    if (typeof c === "number") out.push(c);
    else flat(c, out);
  }
  return out;
}

/** Unsigned LEB128, as sizes, counts and offsets are written. */
function leb(n: number): number[] {
  const out: number[] = [];
  do {
    const low = n & 0x7f;
    n >>>= 7;
    out.push(n ? low | 0x80 : low);
  } while (n);
  return out;
}

const get = (local: number) => [0x20, local];
const set = (local: number) => [0x21, local];
const tee = (local: number) => [0x22, local];
const i32 = (n: number) => [0x41, sleb(n)];
const i64 = (n: bigint | number) => [0x42, sleb(n)];
// deno-fmt-ignore
const [ADD, SUB, SHL, SHR_U, AND, OR, EQZ, EQ, GT_U, GE_U, LE_U] = [
  0x6a, 0x6b, 0x74, 0x76, 0x71, 0x72, 0x45, 0x46, 0x4b, 0x4f, 0x4d,
];
// deno-fmt-ignore
const [SUB64, AND64, OR64, XOR64, SHL64, EQ64, EQZ64, CLZ64, CTZ64, POPCNT64, EXTEND, WRAP] = [
  0x7d, 0x83, 0x84, 0x85, 0x86, 0x51, 0x50, 0x79, 0x7a, 0x7b, 0xad, 0xa7,
];
const STORE = (offset: number) => [0x36, 0x02, leb(offset)]; // i32.store
/** Loads of 8, 4, 2 and 1 bytes (unsigned), by width. */
const LOADS: Record<number, number[]> = {
  8: [0x29, 0x03],
  4: [0x28, 0x02],
  2: [0x2f, 0x01],
  1: [0x2d, 0x00],
};
const V128_LOAD = (offset: number) => [0xfd, 0x00, 0x00, leb(offset)];
const V128_STORE = (offset: number) => [0xfd, 0x0b, 0x00, leb(offset)];
const V128_CONST = (byte: number) => [0xfd, 0x0c, Array(16).fill(byte)];
const [SPLAT, EQ8, V_AND, V_OR, BITMASK] = [
  [0xfd, 0x0f],
  [0xfd, 0x23],
  [0xfd, 0x4e],
  [0xfd, 0x50],
  [0xfd, 0x64],
];
const CALL_MATCH = [0x10, 0x01];
const RETURN = 0x0f;
const IF = [0x04, 0x40];
const IF_I32 = [0x04, 0x7f];
const ELSE = 0x05;
const END_ = 0x0b;
const BLOCK_LOOP = [0x02, 0x40, 0x03, 0x40];
/** br_if out of the enclosing block of a block-loop pair (from directly inside the loop). */
const BREAK_IF = [0x0d, 0x01];
const AGAIN_END = [0x0c, 0x00, 0x0b, 0x0b]; // br to the loop; end loop; end block

/** `longest = max(longest, gap)`, with gap on the stack. */
const LONGER = [tee(GAP), get(LONGEST), GT_U, IF, get(GAP), set(LONGEST), END_];

/** An i32 mask of 16 lanes as an i64 shifted left by `offset`. */
const wide = (offset: number) => [EXTEND, offset ? [i64(offset), SHL64] : []];

/** Copy the line [from, to] (to: its newline) to out, and note its number `line`. */
// deno-fmt-ignore
const emit = (from: number, to: number, line: number) => [
  // sixteen bytes at a time (a few past the line's end are written, and overwritten next)
  i32(0), set(C),
  BLOCK_LOOP,
  get(OUT), get(OUT_LEN), ADD, get(C), ADD,
  get(from), get(C), ADD, V128_LOAD(0), V128_STORE(0),
  get(C), i32(16), ADD, set(C),
  get(C), get(to), get(from), SUB, LE_U, 0x0d, 0x00, // again while c <= to - from
  END_, END_,
  get(OUT_LEN), get(to), get(from), SUB, i32(1), ADD, ADD, set(OUT_LEN),
  get(HITS), i32(2), SHL, get(LINES), ADD, get(line), STORE(0),
  get(HITS), i32(1), ADD, set(HITS),
];

/**
 * One step of 64 bytes at i; `full`: all of them before the end (else the bits of the bytes
 * past it are dropped).
 */
// deno-fmt-ignore
function step(strings: Wanted[], full: boolean): Code[] {
  const mask = full ? [] : [get(VALID), AND64];
  const code: Code[] = [
    // index[(i - start) / 64] = count
    get(I), get(START), SUB, i32(4), SHR_U, get(INDEX), ADD, get(COUNT), STORE(0),
    V.map((v, k) => [get(I), V128_LOAD(16 * k), set(v)]),
    V.map((v, k) => [
      get(v), get(NEWLINES), EQ8, BITMASK, wide(16 * k), (k ? [OR64] : []),
    ]),
    mask, set(NL),
  ];
  if (strings.length) {
    code.push(
      // A line found in an earlier step ends at this step's first newline (or goes on past it).
      get(PENDING), IF,
      get(NL), EQZ64, IF, get(END), set(SKIP), ELSE,
      get(I), get(NL), CTZ64, WRAP, ADD, set(Q),
      emit(PENDING_START, Q, PENDING_LINE),
      i32(0), set(PENDING),
      get(Q), i32(1), ADD, set(SKIP),
      END_, END_,
      // Candidates: where a string's first byte is, and its last one its length - 1 further.
      V.map((v, k) => [
        strings.map((s, n) => [
          get(v), (s.folds[0] ? [get(CASE(strings.length)), V_OR] : []), get(FIRST(n)), EQ8,
          get(I), V128_LOAD(16 * k + s.bytes.length - 1),
          (s.folds[s.bytes.length - 1] ? [get(CASE(strings.length)), V_OR] : []),
          get(LAST(n)), EQ8,
          V_AND, (n ? V_OR : []),
        ]),
        BITMASK, wide(16 * k), (k ? [OR64] : []),
      ]),
      mask, set(CAND),
      // Each candidate past the lines already taken: a string in place takes its line.
      BLOCK_LOOP,
      get(CAND), EQZ64, BREAK_IF,
      get(CAND), CTZ64, WRAP, set(J),
      get(I), get(J), ADD, set(P),
      get(CAND), get(CAND), i64(1), SUB64, AND64, set(CAND),
      get(P), get(SKIP), GE_U, IF,
      get(P), get(END), CALL_MATCH, IF,
      // below: the step's newlines before the match; the line starts after the last of them
      get(NL), i64(1), get(J), EXTEND, SHL64, i64(1), SUB64, AND64, set(BELOW),
      get(BELOW), EQZ64, IF_I32, get(PREV), i32(1), ADD, ELSE,
      get(I), i32(64), ADD, get(BELOW), CLZ64, WRAP, SUB, END_,
      set(LINE_START),
      get(COUNT), get(BELOW), POPCNT64, WRAP, ADD, set(T), // its number
      // and ends at the first newline after it: in this step, or in a later one
      get(NL), get(BELOW), XOR64, set(BELOW),
      get(BELOW), EQZ64, IF,
      i32(1), set(PENDING), get(LINE_START), set(PENDING_START),
      get(T), set(PENDING_LINE), get(END), set(SKIP),
      ELSE,
      get(I), get(BELOW), CTZ64, WRAP, ADD, set(Q),
      emit(LINE_START, Q, T),
      get(Q), i32(1), ADD, set(SKIP),
      END_,
      END_, END_,
      AGAIN_END,
    );
  }
  code.push(
    // The step's newlines: counted; the first one's distance from the one before; the last one.
    get(NL), EQZ64, EQZ, IF,
    get(COUNT), get(NL), POPCNT64, WRAP, ADD, set(COUNT),
    get(I), get(NL), CTZ64, WRAP, ADD, get(PREV), SUB, LONGER,
    get(I), i32(63), ADD, get(NL), CLZ64, WRAP, SUB, set(PREV),
    END_,
    get(I), i32(64), ADD, set(I),
  );
  return code;
}

function scanBody(strings: Wanted[]): Code[] {
  // deno-fmt-ignore
  return [
    locals(strings.length),
    i32(10), SPLAT, set(NEWLINES),
    strings.map((s, n) => [
      V128_CONST(s.bytes[0]), set(FIRST(n)),
      V128_CONST(s.bytes[s.bytes.length - 1]), set(LAST(n)),
    ]),
    (strings.length ? [V128_CONST(0x20), set(CASE(strings.length))] : []),
    get(START), get(LEN), ADD, set(END),
    get(START), set(I),
    get(START), i32(1), SUB, set(PREV),
    // Whole steps, then what is left (fewer than 64 bytes) as a step of its own.
    BLOCK_LOOP,
    get(I), i32(64), ADD, get(END), GT_U, BREAK_IF,
    step(strings, true),
    AGAIN_END,
    get(I), get(END), GE_U, EQZ, IF,
    i64(1), get(END), get(I), SUB, EXTEND, SHL64, i64(1), SUB64, set(VALID),
    step(strings, false),
    END_,
    i32(0), get(LONGEST), STORE(0),
    i32(0), get(PREV), STORE(4),
    i32(0), get(HITS), STORE(8),
    i32(0), get(OUT_LEN), STORE(12),
    get(COUNT),
    END_,
  ];
}

/** `match(p, end)`: whether one of the strings is at p, whole before end. */
function matchBody(strings: Wanted[]): Code[] {
  const code: Code[] = [0x00]; // no locals
  for (const { bytes: s, folds } of strings) {
    // p + length <= end, then the string compared 8, 4, 2 or 1 bytes at a time (letters whose
    // case is ignored: the loaded byte with 0x20 set, against the lower case)
    code.push(get(0), i32(s.length), ADD, get(1), LE_U);
    for (let at = 0; at < s.length;) {
      const width = [8, 4, 2, 1].find((w) => w <= s.length - at)!;
      let value = 0n;
      let fold = 0n;
      for (let b = width - 1; b >= 0; b--) {
        value = (value << 8n) | BigInt(s[at + b]);
        fold = (fold << 8n) | BigInt(folds[at + b]);
      }
      code.push(get(0), LOADS[width], leb(at));
      if (width === 8) code.push(fold ? [i64(fold), OR64] : [], i64(value), EQ64, AND);
      else code.push(fold ? [i32(Number(fold)), OR] : [], i32(Number(value)), EQ, AND);
      at += width;
    }
    code.push(IF, i32(1), RETURN, END_);
  }
  code.push(i32(0), END_);
  return code;
}

function section(id: number, content: Code[]): Code[] {
  const bytes = flat(content);
  return [id, leb(bytes.length), bytes];
}

function name(s: string): Code[] {
  return [s.length, [...s].map((c) => c.charCodeAt(0))];
}

function body(code: Code[]): Code[] {
  const bytes = flat(code);
  return [leb(bytes.length), bytes];
}

/** The module for `strings`: "scan" exported, over the memory imported as "env" "mem". */
function moduleBytes(strings: Wanted[]): Uint8Array<ArrayBuffer> {
  const fn = (params: number) => [0x60, params, Array(params).fill(0x7f), 0x01, 0x7f];
  return new Uint8Array(flat([
    [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
    section(1, [0x02, fn(5), fn(2)]), // types: five i32 → i32, two i32 → i32
    section(2, [0x01, name("env"), name("mem"), 0x02, 0x00, 0x01]), // a memory
    section(3, [0x02, 0x00, 0x01]), // scan, match
    section(7, [0x01, name("scan"), 0x00, 0x00]),
    section(10, [0x02, body(scanBody(strings)), body(matchBody(strings))]),
  ]));
}

const compiled = new Map<string, WebAssembly.Module | null>();

/**
 * The compiled module that looks for `strings` (ASCII, none empty; none: a plain count; those
 * marked `caseless` whatever the case of their letters), or null where this runtime cannot compile
 * it (no WebAssembly SIMD). Compiled once per set.
 */
export function scanModule(
  strings: Uint8Array[] = [],
  caseless: boolean[] = [],
): WebAssembly.Module | null {
  const want = wanted(strings, caseless);
  const key = want.map((w) => `${w.bytes.join(",")}/${w.folds.join(",")}`).join(";");
  let mod = compiled.get(key);
  if (mod === undefined) {
    try {
      mod = new WebAssembly.Module(moduleBytes(want));
    } catch {
      mod = null;
    }
    compiled.set(key, mod);
  }
  return mod;
}
