/**
 * JSON Lines output: one StreamEvent per line, flushed per batch, valid for `jq`.
 * @module
 */
import type { LineFilter, Selection } from "../engine/filter.ts";
import type { LineBatch } from "../engine/line_batch.ts";
import { eventsOf, type StreamHandle, type StreamListener } from "../engine/stream_manager.ts";
import type { StreamEvent } from "../engine/stream_event.ts";
import type { TextOut } from "./writer.ts";

/** Options for the JSON sink. */
export interface JsonSinkOptions {
  out: TextOut;
  filter: LineFilter;
  /** Also emit status events (type "status"). */
  events: boolean;
  /** Also emit `\r` progress updates (progress: true). */
  progress: boolean;
}

/** A listener that prints JSON Lines. */
export function jsonSink(o: JsonSinkOptions): StreamListener {
  const highlight = o.filter.highlights.length > 0 ? o.filter : undefined;
  return {
    async onLines(s: StreamHandle, batch: LineBatch, sel: Selection) {
      const evs = eventsOf(s, batch, sel, highlight);
      if (evs.length === 0) return;
      let out = "";
      for (const ev of evs) out += JSON.stringify(ev) + "\n";
      await o.out.write(out);
    },
    onProgress(s: StreamHandle, text: string, lineNum: number) {
      if (!o.progress) return;
      const ev: StreamEvent = {
        job_id: s.jobId,
        type: s.type,
        content: text,
        timestamp: new Date().toISOString(),
        line_num: lineNum,
        source: s.sourceKind,
        progress: true,
      };
      void o.out.write(JSON.stringify(ev) + "\n").catch(() => {});
    },
    onStatus(_s: StreamHandle, ev: StreamEvent) {
      if (!o.events) return;
      void o.out.write(JSON.stringify(ev) + "\n").catch(() => {});
    },
  };
}
