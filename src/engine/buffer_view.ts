/**
 * A buffer's readable lines — in memory, compressed or spilled — as one synchronous list indexed
 * from the oldest: what the TUI's scroll-back reads through.
 * @module
 */
import type { BufferedLine } from "./plain_chunk.ts";

/** What a {@link BufferView} reads (a `StreamBuffer`). */
export interface ReadableBuffer {
  readonly totalLines: number;
  readonly firstLineNum: number;
  readRangeSync(fromLine: number, count: number): BufferedLine[];
}

/** Every readable line of a buffer as a synchronous list indexed from the oldest. */
export class BufferView {
  constructor(readonly buffer: ReadableBuffer) {}

  /** Lines readable in every tier. */
  get length(): number {
    return this.buffer.totalLines;
  }

  /** line_num of the oldest readable line. */
  get firstNum(): number {
    return this.buffer.firstLineNum;
  }

  /** Lines `[from, from+count)` counted from the oldest readable one. */
  slice(from: number, count: number): BufferedLine[] {
    return this.buffer.readRangeSync(this.buffer.firstLineNum + Math.max(0, from), count);
  }
}
