/**
 * A stream's in-memory scroll-back: bounded by line count and bytes. Lines forced out by the cap
 * are counted, never dropped silently.
 * @module
 */
import type { LineBatch } from "./line_batch.ts";

/** One buffered line. */
export interface BufferedLine {
  num: number;
  content: string;
  time: number;
  truncated?: boolean;
}

/** Limits for a {@link StreamBuffer}. */
export interface StreamBufferOptions {
  maxLines: number;
  maxBytes: number;
}

/** The scroll-back of one stream. */
export class StreamBuffer {
  #lines: BufferedLine[] = [];
  #head = 0; // index of the oldest live line in #lines (compacted lazily)
  #bytes = 0;
  #discarded = 0;
  #opts: StreamBufferOptions;

  constructor(options: StreamBufferOptions) {
    this.#opts = options;
  }

  /** Lines held. */
  get length(): number {
    return this.#lines.length - this.#head;
  }

  /** Approximate bytes held (UTF-16 length × 2 is overkill; content length is the measure). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Lines pushed out by the caps so far. */
  get discarded(): number {
    return this.#discarded;
  }

  /** Append every line of a batch. */
  append(batch: LineBatch): void {
    const t = batch.text;
    let pos = 0;
    for (let i = 0; i < batch.count; i++) {
      const nl = t.indexOf("\n", pos);
      const line: BufferedLine = { num: batch.firstLine + i, content: t.slice(pos, nl), time: batch.time };
      if (batch.truncated?.includes(i)) line.truncated = true;
      this.#lines.push(line);
      this.#bytes += nl - pos + 1;
      pos = nl + 1;
    }
    this.#trim();
  }

  #trim(): void {
    const { maxLines, maxBytes } = this.#opts;
    while (this.length > maxLines || (this.#bytes > maxBytes && this.length > 1)) {
      const old = this.#lines[this.#head++];
      this.#bytes -= old.content.length + 1;
      this.#discarded++;
    }
    if (this.#head > 4096 && this.#head > this.#lines.length / 2) {
      this.#lines = this.#lines.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Lines `[from, from+count)` counted from the oldest held (0-based). */
  slice(from: number, count: number): BufferedLine[] {
    const a = this.#head + Math.max(0, from);
    return this.#lines.slice(a, Math.min(this.#lines.length, a + count));
  }

  /** The last `count` lines. */
  tail(count: number): BufferedLine[] {
    return this.#lines.slice(Math.max(this.#head, this.#lines.length - count));
  }

  /** Forget everything held (the discarded count stays). */
  clear(): void {
    this.#lines = [];
    this.#head = 0;
    this.#bytes = 0;
  }
}
