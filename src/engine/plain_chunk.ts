/**
 * The uncompressed tier of a stream buffer: one batch's lines kept as the batch's single string,
 * with line offsets computed only when someone reads single lines. No object per line, so
 * buffering costs little more than the text itself.
 * @module
 */
import type { LineBatch } from "../core/line_batch.ts";

/** One buffered line. */
export interface BufferedLine {
  num: number;
  content: string;
  time: number;
  truncated?: boolean;
}

/** Lines `[first, first+count)` of a stream, as one string of "\n"-terminated lines. */
export class PlainChunk {
  #offsets?: Int32Array;

  constructor(
    readonly first: number,
    readonly count: number,
    readonly text: string,
    readonly time: number,
    /** Indexes (within this chunk) of lines cut at the line cap. */
    readonly truncated?: readonly number[],
  ) {}

  /** A chunk holding a batch. */
  static fromBatch(b: LineBatch): PlainChunk {
    return new PlainChunk(
      b.firstLine,
      b.count,
      b.text,
      b.time,
      b.truncated?.length ? b.truncated : undefined,
    );
  }

  /** Start of each line, plus the text's length at the end. */
  offsets(): Int32Array {
    if (this.#offsets) return this.#offsets;
    const o = new Int32Array(this.count + 1);
    let pos = 0;
    for (let i = 0; i < this.count; i++) {
      o[i] = pos;
      pos = this.text.indexOf("\n", pos) + 1;
    }
    o[this.count] = this.text.length;
    return this.#offsets = o;
  }

  /** Line `i` (0-based within the chunk). */
  line(i: number): BufferedLine {
    const o = this.offsets();
    const l: BufferedLine = {
      num: this.first + i,
      content: this.text.slice(o[i], o[i + 1] - 1),
      time: this.time,
    };
    if (this.truncated?.includes(i)) l.truncated = true;
    return l;
  }

  /** The fewest leading lines whose text (with newlines) reaches `bytes`. */
  linesCovering(bytes: number): number {
    if (bytes <= 0) return 0;
    if (bytes >= this.text.length) return this.count;
    const o = this.offsets();
    let lo = 1;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (o[mid] >= bytes) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Split after `k` lines (0 < k < count). */
  split(k: number): [PlainChunk, PlainChunk] {
    const at = this.offsets()[k];
    const t = this.truncated;
    return [
      new PlainChunk(this.first, k, this.text.slice(0, at), this.time, t?.filter((i) => i < k)),
      new PlainChunk(
        this.first + k,
        this.count - k,
        this.text.slice(at),
        this.time,
        t?.filter((i) => i >= k).map((i) => i - k),
      ),
    ];
  }
}
