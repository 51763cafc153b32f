/**
 * Bytes → complete lines. Holds the unterminated tail until its newline arrives (never half a
 * line), collapses `\r` progress output to its latest state, strips CRLF, decodes invalid UTF-8
 * to replacement characters, and cuts lines longer than the cap into marked pieces.
 * @module
 */
import type { LineBatch, Preselect } from "./line_batch.ts";
import { EXACT_LONGEST, NewlineBuffer } from "./newline_buffer.ts";

/** Options for {@link LineSplitter}. */
export interface LineSplitterOptions {
  /**
   * Longest line kept whole, in bytes (at least {@link MIN_LINE_BYTES}); longer lines are cut
   * into pieces, every piece marked truncated, the last one too.
   */
  maxLineBytes?: number;
  /**
   * Most lines in one batch (`file_polling.batch_size`); the rest stay held for {@link next}.
   * Unlimited by default.
   */
  maxBatchLines?: number;
  /** Byte offset of the first byte that will be pushed. */
  startOffset?: number;
  /** line_num of the first line. */
  firstLine?: number;
  /**
   * Asked at each read: strings whose lines are all that is wanted of it, if so. A read of many
   * lines (once the buffer grew for a catch-up) then decodes only the lines holding one of them,
   * handed on as a batch's `preselected` lines.
   */
  preselect?: () => Preselect | undefined;
}

/** The smallest line cap: the longest UTF-8 character, which is never cut in two. */
export const MIN_LINE_BYTES = 4;

const NL = 10;
const CR = 13;
const INITIAL_BYTES = 64 * 1024;
const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/** Keep the latest state of a line rewritten with `\r` (the last non-empty segment). */
export function collapseCarriageReturns(line: string): string {
  if (line.endsWith("\r")) line = line.replace(/\r+$/, "");
  const i = line.lastIndexOf("\r");
  if (i === -1) return line;
  const last = line.slice(i + 1);
  if (last !== "") return last;
  const segs = line.split("\r");
  for (let k = segs.length - 1; k >= 0; k--) if (segs[k] !== "") return segs[k];
  return "";
}

/**
 * The line splitter. Feed it with {@link push} (copies) or {@link reserve}/{@link commit}
 * (zero-copy: read straight into its buffer).
 */
export class LineSplitter {
  #buf: Uint8Array;
  #len = 0; // bytes in #buf (the held tail plus committed data not yet cut)
  #offset: number; // file offset of #buf[0]
  #nextLine: number;
  #maxLine: number;
  #maxBatch: number;
  #lastProgress: string | undefined;
  /** The held bytes continue a line whose first pieces were emitted (cut at the cap). */
  #continuing = false;
  /** Holds #buf (its bytes) and counts their lines. */
  #lines: NewlineBuffer;
  #preselect?: () => Preselect | undefined;

  constructor(options: LineSplitterOptions = {}) {
    const max = options.maxLineBytes ?? 1024 * 1024;
    if (!(max >= MIN_LINE_BYTES)) {
      throw new RangeError(`maxLineBytes must be at least ${MIN_LINE_BYTES}, got ${max}`);
    }
    this.#maxLine = max;
    this.#maxBatch = Math.max(1, options.maxBatchLines ?? Infinity);
    this.#lines = new NewlineBuffer(INITIAL_BYTES);
    this.#buf = this.#lines.bytes;
    this.#offset = options.startOffset ?? 0;
    this.#nextLine = options.firstLine ?? 1;
    this.#preselect = options.preselect;
  }

  /** line_num the next emitted line will get. */
  get nextLine(): number {
    return this.#nextLine;
  }

  /** File offset just past the last emitted line (where a restart must resume). */
  get committedOffset(): number {
    return this.#offset;
  }

  /** Bytes held back waiting for a newline. */
  get pendingBytes(): number {
    return this.#len;
  }

  /** A writable view of at least `n` free bytes after the held data; fill it, then {@link commit}. */
  reserve(n: number): Uint8Array {
    const need = this.#len + n;
    if (need > this.#buf.length) {
      let size = Math.max(this.#buf.length, INITIAL_BYTES);
      while (size < need) size *= 2;
      this.#buf = this.#lines.grow(size);
    }
    return this.#buf.subarray(this.#len, this.#len + n);
  }

  /** Account for `n` bytes written into the view from {@link reserve}; returns the complete lines. */
  commit(n: number, time?: number): LineBatch | null {
    this.#len += n;
    return this.#cut(time, false);
  }

  /**
   * The next batch of complete lines already held, after a {@link commit} or {@link push} that
   * stopped at the batch size; null when none is left.
   */
  next(time?: number): LineBatch | null {
    return this.#cut(time, false);
  }

  /** Shrink a buffer grown for catch-up back to its initial size once little is held. */
  compact(): void {
    if (this.#buf.length <= INITIAL_BYTES || this.#len > INITIAL_BYTES / 2) return;
    const held = this.#buf.subarray(0, this.#len);
    this.#lines = new NewlineBuffer(INITIAL_BYTES);
    this.#buf = this.#lines.bytes;
    this.#buf.set(held);
  }

  /** Push bytes (copied). */
  push(bytes: Uint8Array, time?: number): LineBatch | null {
    this.reserve(bytes.length).set(bytes);
    return this.commit(bytes.length, time);
  }

  /** Emit the held tail as a final line (end of stream, truncation, rotation). */
  flush(time?: number): LineBatch | null {
    return this.#cut(time, true);
  }

  /** Forget held bytes and continue at `offset` (after truncation/rotation; flush first). */
  resetOffset(offset: number): void {
    this.#len = 0;
    this.#offset = offset;
    this.#lastProgress = undefined;
    this.#continuing = false;
  }

  /**
   * The latest `\r` state of the unterminated line, if it changed since the last call
   * (for live progress display); undefined when there is nothing new.
   */
  takeProgress(): string | undefined {
    if (this.#len === 0) return undefined;
    const lastCr = this.#buf.lastIndexOf(CR, this.#len - 1);
    if (lastCr === -1) return undefined;
    const text = decoder.decode(this.#buf.subarray(0, lastCr));
    const state = collapseCarriageReturns(text);
    if (state === "" || state === this.#lastProgress) return undefined;
    this.#lastProgress = state;
    return state;
  }

  /** (`time` undefined: now, taken only when there is a batch: most next() calls have none.) */
  #cut(time: number | undefined, final: boolean): LineBatch | null {
    let buf = this.#buf;
    const len = this.#len;
    if (len === 0) return null;
    let end = buf.lastIndexOf(NL, len - 1) + 1; // bytes of complete lines
    let truncated: number[] | undefined;
    let text: string;
    let count: number;
    const startOffset = this.#offset;
    if (end === 0 && len < this.#maxLine && !final) return null;
    // More than maxBatch complete lines: this batch stops after that many, the rest waits for
    // next(). Found after the count (fast path) or while cutting (slow path), never by a scan
    // of its own: the common case, a read with fewer lines, pays nothing for it.
    let heldLines = false;

    if (end > 0 && this.#preselect && this.#lines.vectorized && (!final || end === len)) {
      const batch = this.#picked(this.#preselect(), end, startOffset, time, final);
      if (batch) return batch;
      buf = this.#buf; // (the buffer may have been laid out anew)
    }
    if (end > 0) {
      // Fast path: decode the complete part once; fine unless it has `\r` or over-long lines.
      text = decoder.decode(buf.subarray(0, end));
      if (text.indexOf("\r") === -1) {
        let fits: boolean;
        if (this.#lines.vectorized) {
          count = this.#lines.scan(end);
          fits = this.#scannedFit();
        } else {
          // A few lines (a followed file's new ones): one indexOf per line over the text.
          count = countLines(text, this.#maxLine);
          fits = count >= 0;
        }
        if (fits && (!final || len - end <= this.#maxLine)) {
          if (count > this.#maxBatch && !final) {
            let p = -1;
            let q = -1;
            for (let k = 0; k < this.#maxBatch; k++) {
              p = buf.indexOf(NL, p + 1);
              q = text.indexOf("\n", q + 1);
            }
            end = p + 1;
            count = this.#maxBatch;
            text = text.slice(0, q + 1);
          }
          // The first line ends a line cut before: its last piece is marked too.
          const cont = this.#continuing ? [0] : undefined;
          this.#continuing = false;
          if (final && end < len) {
            const tail = collapseCarriageReturns(decoder.decode(buf.subarray(end, len)));
            return this.#finish(
              text + tail + "\n",
              count + 1,
              len,
              startOffset,
              time,
              cont,
              final,
            );
          }
          const batch = this.#finish(text, count, end, startOffset, time, cont, final);
          // A character per byte (ASCII, or each invalid byte one U+FFFD): positions agree.
          if (batch && text.length === end) batch.lineIndex = this.#lines.blockIndex(end);
          return batch;
        }
      }
    }
    // Slow path: per line, for `\r`, over-long lines and the final tail.
    const lines: string[] = [];
    let pos = 0;
    const limit = final ? len : Math.max(end, 0);
    while (pos < limit) {
      if (!final && lines.length >= this.#maxBatch) {
        heldLines = true;
        break;
      }
      let nl = buf.indexOf(NL, pos);
      if (nl === -1 || nl >= limit) nl = final ? limit : -1;
      if (nl === -1) break;
      let cutLine = this.#continuing;
      this.#continuing = false;
      while (nl - pos > this.#maxLine) {
        const cut = this.#charBoundary(pos + this.#maxLine);
        (truncated ??= []).push(lines.length);
        lines.push(decoder.decode(buf.subarray(pos, cut)));
        pos = cut;
        cutLine = true;
      }
      if (cutLine) (truncated ??= []).push(lines.length);
      lines.push(collapseCarriageReturns(decoder.decode(buf.subarray(pos, nl))));
      pos = nl + 1;
    }
    end = Math.min(pos, len);
    // An unterminated tail longer than the cap: cut it now rather than hold it without bound.
    while (!final && !heldLines && len - end > this.#maxLine) {
      const cut = this.#charBoundary(end + this.#maxLine);
      (truncated ??= []).push(lines.length);
      lines.push(decoder.decode(buf.subarray(end, cut)));
      end = cut;
      this.#continuing = true;
    }
    if (lines.length === 0 && end === 0) return null;
    text = lines.length ? lines.join("\n") + "\n" : "";
    return this.#finish(text, lines.length, end, startOffset, time, truncated, final);
  }

  /**
   * The complete lines [0, end) as a batch of only those holding one of `pre`'s strings; undefined
   * when the fast path's conditions fail (an over-long line, more lines than a batch takes) or
   * the strings cannot be looked for this way: then the lines are cut as usual.
   */
  #picked(
    pre: Preselect | undefined,
    end: number,
    startOffset: number,
    time: number | undefined,
    final: boolean,
  ): LineBatch | undefined {
    if (!pre || !this.#lines.lookFor(pre.key, pre.strings, pre.caseless)) return undefined;
    this.#buf = this.#lines.bytes; // (laid out anew for the strings: the memory may have grown)
    const count = this.#lines.scan(end, true);
    if (!this.#scannedFit() || (count > this.#maxBatch && !final)) return undefined;
    const picked = this.#lines.picked()!;
    let text = decoder.decode(picked.bytes);
    let at = picked.lines;
    // A picked line rewritten with `\r` is its latest state, which may not hold the string.
    if (text.indexOf("\r") !== -1) [text, at] = latestStates(text, at, pre);
    const cont = this.#continuing ? [0] : undefined;
    this.#continuing = false;
    const batch = this.#finish("", count, end, startOffset, time, cont, final)!;
    batch.preselected = { key: pre.key, text, at };
    return batch;
  }

  /**
   * No line of the last scan passes the cap (short lines are only known to be short: a cap
   * below EXACT_LONGEST takes the slow path).
   */
  #scannedFit(): boolean {
    return this.#maxLine >= EXACT_LONGEST && this.#lines.longestLine <= this.#maxLine;
  }

  #charBoundary(pos: number): number {
    // Step back over UTF-8 continuation bytes so a character is never cut in two.
    let p = pos;
    for (let k = 0; k < 3 && p > 0 && (this.#buf[p] & 0xc0) === 0x80; k++) p--;
    return p > 0 ? p : pos;
  }

  #finish(
    text: string,
    count: number,
    consumed: number,
    startOffset: number,
    time: number | undefined,
    truncated: number[] | undefined,
    final: boolean,
  ): LineBatch | null {
    const rest = this.#len - consumed;
    if (rest > 0) this.#buf.copyWithin(0, consumed, this.#len);
    this.#len = final ? 0 : rest;
    this.#offset = startOffset + consumed;
    if (consumed > 0) this.#lastProgress = undefined;
    if (count === 0) return null;
    const batch: LineBatch = {
      text,
      count,
      firstLine: this.#nextLine,
      startOffset,
      endOffset: startOffset + consumed,
      time: time ?? Date.now(),
    };
    if (truncated) batch.truncated = truncated;
    this.#nextLine += count;
    return batch;
  }
}

/**
 * Picked lines (`text`, numbered by `at`) as their `\r` states, less those whose state holds
 * none of the strings (the state is the last non-empty part of the line, so it holds no string the
 * line did not): tested with `pre`'s pattern when it has one.
 */
function latestStates(text: string, at: Int32Array, pre: Preselect): [string, Int32Array] {
  const holds = pre.pattern
    ? (line: string) => pre.pattern!.test(line)
    : (line: string) => pre.strings.some((s) => line.includes(s));
  let out = "";
  const kept: number[] = [];
  let pos = 0;
  for (let i = 0; i < at.length; i++) {
    const nl = text.indexOf("\n", pos);
    const line = collapseCarriageReturns(text.slice(pos, nl));
    pos = nl + 1;
    if (!holds(line)) continue;
    out += line + "\n";
    kept.push(at[i]);
  }
  return [out, Int32Array.from(kept)];
}

/**
 * The lines of `text` (each ending in "\n"), or -1 when one may be longer than `maxLine` bytes
 * (a UTF-16 unit is at most 3 UTF-8 bytes: lines of up to a third of the cap surely fit).
 */
function countLines(text: string, maxLine: number): number {
  let count = 0;
  let longest = 0;
  let prev = -1;
  for (let p = text.indexOf("\n"); p !== -1; p = text.indexOf("\n", p + 1)) {
    count++;
    if (p - prev > longest) longest = p - prev;
    prev = p;
  }
  return longest * 3 <= maxLine ? count : -1;
}
