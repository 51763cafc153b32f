/**
 * Labelled output split into task streams inside the engine (start option `splitTasks`): each
 * line that starts with its task id (`  1: …`, as `sattach --label` and `srun --label` write)
 * goes to the stream of that task — registered like any stream, with its own buffer and line
 * numbers, labelled `task 1`, the label taken off — and the other lines stay on the stream they
 * came from. The TUI's Stream Monitor shows one pane per task this way; the CLI's `--tasks`
 * splits at its sink instead (task_split.ts).
 * @module
 */
import type { LineBatch } from "../core/line_batch.ts";
import { batchLines } from "../core/line_batch.ts";
import { splitTaskLabel, type StreamType } from "../core/stream_event.ts";
import type { Stream, StreamPart } from "./stream.ts";

/** Makes (and registers) a task's stream. */
export type NewTaskStream = (jobId: string, type: StreamType, part: StreamPart) => Stream;

/** The task streams of every split stream, by the stream they came from. */
export class TaskStreams {
  #children = new Map<Stream, Map<number, Stream>>();
  #create: NewTaskStream;

  constructor(create: NewTaskStream) {
    this.#create = create;
  }

  /** The task streams split from `s` so far. */
  childrenOf(s: Stream): Stream[] {
    return [...(this.#children.get(s)?.values() ?? [])];
  }

  /** Cut `batch` of stream `s` into one batch per task (and one of unlabelled lines for `s`). */
  split(s: Stream, batch: LineBatch): [Stream, LineBatch][] {
    const kids = this.#children.get(s) ?? new Map<number, Stream>();
    this.#children.set(s, kids);
    const groups = new Map<Stream, string[]>();
    for (const line of batchLines(batch)) {
      const { task, content } = splitTaskLabel(line);
      let target = s;
      if (task !== undefined) {
        let kid = kids.get(task);
        if (!kid) {
          kid = this.#create(s.jobId, s.type, { label: `task ${task}`, task });
          // Read from the same place, at the same time, as the stream it is split from.
          Object.assign(kid, {
            sourceKind: s.sourceKind,
            location: s.location,
            follows: s.follows,
          });
          Object.assign(kid, { job: s.job, jobState: s.jobState });
          kids.set(task, kid);
        }
        target = kid;
      }
      const list = groups.get(target) ?? [];
      list.push(task === undefined ? line : content);
      groups.set(target, list);
    }
    return [...groups].map(([target, lines]) => [target, {
      text: lines.join("\n") + "\n",
      count: lines.length,
      // Each stream counts its own lines: a task's, and the unlabelled ones left on `s`.
      firstLine: target.lastLineNum + 1,
      startOffset: batch.startOffset,
      endOffset: batch.endOffset,
      time: batch.time,
    }]);
  }
}
