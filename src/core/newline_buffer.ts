/**
 * A growable byte buffer that counts its newlines sixty-four bytes at a time: the line splitter
 * reads into it, and learns how many lines a read brought and how long the longest is without a
 * call per line, and an index to number any of them by. It can also pick out the lines that hold
 * one of a few strings (an include filter's `ERROR|WARN`), as grep does, so that only those are
 * decoded. The bytes live in a WebAssembly memory scanned by hand-assembled WebAssembly SIMD
 * (./newline_scan.ts); where WebAssembly is not at hand it is a plain byte buffer.
 *
 * Counting a 109 MB catch-up's million lines this way takes ≈ 7 ms, where one `indexOf` per line
 * over the decoded text took ≈ 25 ms of a ≈ 160 ms run.
 * @module
 */
import { LINE_INDEX_BLOCK } from "./line_batch.ts";
import { scanModule } from "./newline_scan.ts";

/** The memory's first bytes: the scan's results. */
const HEADER = 16;
const PAGE = 65536;
/**
 * From this length on {@link NewlineBuffer.longestLine} is exact: the scan compares the distance
 * between newlines only across its 64-byte steps.
 */
export const EXACT_LONGEST = 63;

/** The block index counts the newlines before every BLOCK bytes (the scan's step). */
const BLOCK = LINE_INDEX_BLOCK;

type Scan = (start: number, len: number, index: number, out: number, lines: number) => number;

/** An instance of the scan (for `strings`) on `memory`, or undefined where none compiles. */
function scanOn(
  memory: WebAssembly.Memory,
  strings?: Uint8Array[],
  caseless?: boolean[],
): Scan | undefined {
  const mod = scanModule(strings, caseless);
  if (!mod) return undefined;
  return new WebAssembly.Instance(mod, { env: { mem: memory } }).exports.scan as Scan;
}

const align = (n: number, to: number) => Math.ceil(n / to) * to;

/** Whether {@link NewlineBuffer.lookFor} can look for `strings`: some, each ASCII, none empty. */
export function lookable(strings: readonly string[]): boolean {
  // deno-lint-ignore no-control-regex
  return strings.length > 0 && strings.every((t) => t !== "" && !/[^\x00-\x7f]/.test(t));
}

/**
 * See the module documentation. A buffer starts as plain bytes, and moves into WebAssembly memory
 * the first time it grows (a catch-up's reads): a stream that only ever reads a few lines at a
 * time (and every short run) never pays for making the scan.
 */
export class NewlineBuffer {
  #memory?: WebAssembly.Memory;
  /** The count alone. */
  #scan?: Scan;
  /** The count that also picks the lines holding {@link #strings}. */
  #pick?: Scan;
  /** The memory as 32-bit words: the scan's results, the block index, the lines' numbers. */
  #words?: Int32Array;
  #bytes: Uint8Array;
  #vectorize: boolean;
  // Where the scan's areas are in the memory (see #layout).
  #indexAt = 0;
  #outAt = 0;
  #linesAt = 0;
  /** The strings looked for, when some are. */
  #strings?: { key: string; bytes: Uint8Array[] };
  #scanned = 0;
  #searched = false;
  #longest = 0;
  #last = -1;

  /** A buffer of at least `capacity` bytes; `vectorize` false keeps it plain (for tests). */
  constructor(capacity: number, vectorize = true) {
    this.#bytes = new Uint8Array(capacity);
    this.#vectorize = vectorize;
  }

  /** Whether the WebAssembly scan is at hand (after a first growth): {@link scan} needs it. */
  get vectorized(): boolean {
    return this.#scan !== undefined;
  }

  /** The buffer (its length is the capacity); a {@link grow} replaces it with a longer view. */
  get bytes(): Uint8Array {
    return this.#bytes;
  }

  /** Make the buffer at least `capacity` bytes long, keeping its contents; returns it. */
  grow(capacity: number): Uint8Array {
    if (capacity <= this.#bytes.length) return this.#bytes;
    if (this.#memory) return this.#bytes = this.#layout(capacity);
    const old = this.#bytes;
    const memory = new WebAssembly.Memory({ initial: 1 });
    const scan = this.#vectorize ? scanOn(memory) : undefined;
    if (scan) {
      this.#memory = memory;
      this.#scan = scan;
      this.#bytes = this.#layout(capacity);
    } else {
      this.#bytes = new Uint8Array(capacity);
    }
    this.#bytes.set(old);
    return this.#bytes;
  }

  /**
   * Have {@link scan} pick out the lines holding one of `strings` (known by `key`: the same key,
   * the same strings), those marked `caseless` whatever the case of their ASCII letters. Only where
   * the scan is vectorized and every string is ASCII, not empty; returns whether it will.
   */
  lookFor(key: string, strings: string[], caseless?: boolean[]): boolean {
    if (!this.#scan) return false;
    if (this.#strings?.key === key) return true;
    if (!lookable(strings)) return false;
    const bytes = strings.map((t) => Uint8Array.from(t, (c) => c.charCodeAt(0)));
    const pick = scanOn(this.#memory!, bytes, caseless);
    if (!pick) return false;
    this.#strings = { key, bytes };
    this.#pick = pick;
    this.#bytes = this.#layout(this.#bytes.length);
    return true;
  }

  /**
   * The newlines in the first `len` bytes: returns their count, and sets {@link longestLine},
   * {@link lastNewline} and the {@link blockIndex}. With `pick` (after {@link lookFor}), also
   * the lines holding one of the strings: {@link picked}. Only once {@link vectorized} (a few
   * lines are counted faster by `indexOf` over their decoded text, see LineSplitter).
   */
  scan(len: number, pick = false): number {
    if (!this.#scan) throw new Error("NewlineBuffer.scan before the buffer grew into WebAssembly");
    if (len > this.#bytes.length) throw new RangeError(`scan of ${len} bytes past the buffer`);
    this.#searched = pick && this.#strings !== undefined;
    const scan = this.#searched ? this.#pick! : this.#scan;
    const count = scan(HEADER, len, this.#indexAt, this.#outAt, this.#linesAt);
    const words = this.#words!;
    this.#longest = Math.max(words[0] - 1, 0);
    this.#last = words[1] - HEADER;
    this.#scanned = len;
    return count;
  }

  /**
   * The lines the last {@link scan} picked: their bytes one after the other, each with its
   * newline (a view, good until the next scan or growth), and the number of each within the
   * scanned lines (from 0; a copy).
   */
  picked(): { bytes: Uint8Array; lines: Int32Array } | undefined {
    if (!this.#searched || !this.#scan) return undefined;
    const words = this.#words!;
    const bytes = new Uint8Array(this.#memory!.buffer, this.#outAt, words[3]);
    const from = this.#linesAt / 4;
    return { bytes, lines: words.slice(from, from + words[2]) };
  }

  /**
   * The newlines before each {@link LINE_INDEX_BLOCK}-byte block of the first `len` bytes of the
   * last scan (entry k: before byte k·BLOCK), a copy; undefined unless the scan was vectorized.
   * With them a line's number is found from its position by looking at less than a block.
   */
  blockIndex(len: number): Int32Array | undefined {
    if (!this.#scan || len > this.#scanned) return undefined;
    const from = this.#indexAt / 4;
    return this.#words!.slice(from, from + Math.ceil(len / BLOCK));
  }

  /**
   * Bytes of the longest line the last {@link scan} found (without its newline): exact when it
   * is {@link EXACT_LONGEST} or more; when shorter, only known to be below it.
   */
  get longestLine(): number {
    return this.#longest;
  }

  /** Position of the last newline the last {@link scan} found, -1 when none. */
  get lastNewline(): number {
    return this.#last;
  }

  /**
   * Lay the memory out for a buffer of `capacity` bytes and return the buffer's view: the header,
   * the bytes (a multiple of BLOCK), room for the scan's reads past them, the block index, and
   * with strings to look for: the picked lines' bytes (at most the buffer's) and their numbers (at
   * most one per two bytes: a string and a newline).
   */
  #layout(capacity: number): Uint8Array {
    const memory = this.#memory!;
    const bytes = align(capacity, BLOCK);
    const strings = this.#strings?.bytes ?? [];
    const longest = Math.max(0, ...strings.map((t) => t.length));
    this.#indexAt = align(HEADER + bytes + 2 * BLOCK + longest, 16);
    this.#outAt = align(this.#indexAt + (bytes / BLOCK + 1) * 4, 16);
    this.#linesAt = align(this.#outAt + (strings.length ? bytes + 16 : 0), 16);
    const end = this.#linesAt + (strings.length ? 2 * bytes : 0);
    const pages = Math.ceil(end / PAGE);
    const have = memory.buffer.byteLength / PAGE;
    if (pages > have) memory.grow(pages - have);
    this.#words = new Int32Array(memory.buffer);
    this.#scanned = 0;
    this.#searched = false;
    return new Uint8Array(memory.buffer, HEADER, bytes);
  }
}
