/**
 * Line batches for sink and output tests: what a source hands on for some complete lines.
 * @module
 */
import type { LineBatch } from "../../src/core/line_batch.ts";

/** A batch of `lines` (each given without its "\n"), numbered from `firstLine`. */
export function linesBatch(lines: string[], firstLine = 1): LineBatch {
  return {
    text: lines.map((l) => l + "\n").join(""),
    count: lines.length,
    firstLine,
    startOffset: 0,
    endOffset: 0,
    time: 0,
  };
}
