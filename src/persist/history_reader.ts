/**
 * Reading history sessions back: member by member, streaming through the part files (never the
 * whole file in memory), as raw text or as StreamEvents.
 * @module
 */
import { inflateMember, scanMembers } from "../codec/gzip_chunk.ts";
import {
  buildStreamEvent,
  type SourceKind,
  type StreamEvent,
  type StreamType,
} from "../core/stream_event.ts";
import type { HistorySession, MemberMeta } from "./history_index.ts";

/** One member's lines. */
export interface HistoryMember {
  meta: MemberMeta;
  /** The lines, each with its "\n", as UTF-8 bytes exactly as recorded. */
  bytes: Uint8Array;
}

/** Every complete member of a session's parts, in order. */
export async function* readSession(
  dir: string,
  session: HistorySession,
): AsyncGenerator<HistoryMember> {
  for (const part of session.parts) {
    let f: Deno.FsFile;
    try {
      f = await Deno.open(`${dir}/${part.file}`, { read: true });
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) continue; // removed by cleanup meanwhile
      throw err;
    }
    try {
      let pending = new Uint8Array(0);
      const block = new Uint8Array(1 << 20);
      while (true) {
        const n = await f.read(block);
        if (n === null) break;
        const next = new Uint8Array(pending.length + n);
        next.set(pending);
        next.set(block.subarray(0, n), pending.length);
        const { members, end } = scanMembers<MemberMeta>(next);
        for (const m of members) yield { meta: m.meta!, bytes: inflateMember(next, m) };
        pending = next.slice(end);
      }
      // A member cut short by a crash is left out: everything before it is whole.
    } finally {
      f.close();
    }
  }
}

/** The session's members as StreamEvents, one per line (what `stream -o json` printed). */
export function* memberEvents(session: HistorySession, m: HistoryMember): Generator<StreamEvent> {
  const text = new TextDecoder().decode(m.bytes);
  const trunc = new Set(m.meta.x ?? []);
  let pos = 0;
  const gaps = m.meta.g ?? [];
  let gi = 0;
  let idx = 0;
  let num = m.meta.l;
  for (const [n, ms] of m.meta.r) {
    const time = new Date(ms).toISOString();
    for (let i = 0; i < n; i++, idx++) {
      if (gi < gaps.length && gaps[gi] === idx) {
        num += gaps[gi + 1];
        gi += 2;
      }
      const nl = text.indexOf("\n", pos);
      yield buildStreamEvent({
        jobId: session.job_id,
        type: session.type as StreamType,
        content: text.slice(pos, nl),
        time,
        lineNum: num,
        source: session.source as SourceKind,
      }, { truncated: trunc.has(num) });
      pos = nl + 1;
      num++;
    }
  }
}
