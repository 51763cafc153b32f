/**
 * A source sink that keeps what a source gives it, for tests of one source.
 * @module
 */
import { batchLines, type LineBatch } from "../../src/core/line_batch.ts";

/** Collects a source's lines, their line numbers and its status messages ("state: message"). */
export function sourceCollector() {
  const lines: string[] = [];
  const nums: number[] = [];
  const statuses: string[] = [];
  return {
    lines,
    nums,
    statuses,
    sink: {
      batch(b: LineBatch) {
        batchLines(b).forEach((l, i) => {
          lines.push(l);
          nums.push(b.firstLine + i);
        });
      },
      status(s: { state: string; message?: string }) {
        statuses.push(`${s.state}: ${s.message ?? ""}`);
      },
    },
  };
}
