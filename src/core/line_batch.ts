/**
 * A run of complete lines cut from one stream, kept as one string so that filters and sinks can
 * work on the whole chunk at once (the fast path) and split it only when they must.
 * @module
 */

/** Characters per block of a batch's {@link LineBatch.lineIndex} (a power of two). */
export const LINE_INDEX_BLOCK = 64;

/** Complete lines from one read, in order. */
export interface LineBatch {
  /** The lines, each terminated by "\n"; `\r` progress already collapsed, CRLF stripped. */
  text: string;
  /** How many lines `text` holds. */
  count: number;
  /** line_num of the first line (1-based, per stream). */
  firstLine: number;
  /** Byte offset in the file of the first line. */
  startOffset: number;
  /** Byte offset just past the last line. */
  endOffset: number;
  /** Milliseconds since the epoch when these bytes were read. */
  time: number;
  /**
   * The newlines before each {@link LINE_INDEX_BLOCK}-character block of `text` (entry k: before
   * `text[k · LINE_INDEX_BLOCK]`), when the splitter counted them and `text` has a character per
   * byte read (so blocks of bytes are blocks of characters): a line's number from its position
   * without walking every line before it.
   */
  lineIndex?: Int32Array;
  /** Indexes (0-based, within the batch) of lines cut at the line-length cap; continued in the next line. */
  truncated?: number[];
  /**
   * Only the lines holding one of a {@link Preselect}'s strings, when the splitter was asked to
   * pick them out: `text` is then "" (the other lines were never decoded), `count` and the
   * offsets still span every line read. `at`: each line's index within the batch (line_num
   * `firstLine + at[i]`). Only a consumer that asked for it (an include filter's selection, see
   * LineFilter) ever sees such a batch.
   */
  preselected?: { key: string; text: string; at: Int32Array };
}

/**
 * Strings (ASCII, none empty) whose lines are all a stream's consumers want, known by `key` (the
 * same key, the same strings): the splitter may then decode only the lines holding one of them.
 */
export interface Preselect {
  key: string;
  strings: string[];
  /** Per string: whether it matches whatever the case of its ASCII letters (default: no). */
  caseless?: boolean[];
  /** The pattern the strings make, tested on a picked line's latest `\r` state. */
  pattern?: RegExp;
}

/** Split a batch's text into its lines (without their "\n"). */
export function batchLines(batch: LineBatch): string[] {
  const out = new Array<string>(batch.count);
  const t = batch.text;
  let pos = 0;
  for (let i = 0; i < batch.count; i++) {
    const nl = t.indexOf("\n", pos);
    out[i] = t.slice(pos, nl);
    pos = nl + 1;
  }
  return out;
}

/** Count "\n" in a string. */
export function countNewlines(text: string, from = 0, to = text.length): number {
  let n = 0;
  let p = text.indexOf("\n", from);
  while (p !== -1 && p < to) {
    n++;
    p = text.indexOf("\n", p + 1);
  }
  return n;
}
