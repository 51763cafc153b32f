/**
 * Lines as StreamEvents, for the library's `getStream`: a batch's selected lines, or the lines a
 * scroll-back already holds. Both go through the one builder, `buildStreamEvent`.
 * @module
 */
import { batchLines, type LineBatch } from "../core/line_batch.ts";
import { buildStreamEvent, type StreamEvent } from "../core/stream_event.ts";
import type { BufferedLine } from "./plain_chunk.ts";
import type { LineFilter, Selection } from "./filter.ts";
import type { StreamHandle } from "./stream.ts";

/** Turn a batch (and its selection) into StreamEvents. */
export function eventsOf(
  s: StreamHandle,
  batch: LineBatch,
  sel: Selection,
  filter?: LineFilter,
): StreamEvent[] {
  const out: StreamEvent[] = [];
  const lines = sel.all ? batchLines(batch) : sel.lines;
  const highlight = filter && filter.highlights.length > 0 ? filter : undefined;
  const time = new Date(batch.time).toISOString();
  for (let i = 0; i < lines.length; i++) {
    const num = sel.all ? batch.firstLine + i : sel.nums[i];
    out.push(buildStreamEvent(
      {
        jobId: s.jobId,
        type: s.type,
        content: lines[i],
        time,
        lineNum: num,
        source: s.sourceKind,
      },
      {
        truncated: batch.truncated?.includes(num - batch.firstLine),
        highlights: highlight?.highlightsOf(lines[i]),
      },
    ));
  }
  return out;
}

/** A buffered line of a stream as a StreamEvent. */
export function bufferedEvent(
  s: StreamHandle,
  line: BufferedLine,
  filter?: LineFilter,
): StreamEvent {
  return buildStreamEvent(
    {
      jobId: s.jobId,
      type: s.type,
      content: line.content,
      time: line.time,
      lineNum: line.num,
      source: s.sourceKind,
    },
    {
      truncated: line.truncated,
      highlights: filter?.highlights.length ? filter.highlightsOf(line.content) : undefined,
    },
  );
}
