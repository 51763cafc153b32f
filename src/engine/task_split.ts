/**
 * A step's interleaved output split by task: sattach (and `srun --label`) put each line's task
 * id in front of it (`  1: loss=0.4`). {@link splitTasks} wraps a listener so that every task's
 * lines reach it as a stream of their own — labelled `task 1`, without the label in the line,
 * numbered from 1 per task — or, with `only`, just one task's. Lines without a label (none of the
 * tasks wrote them) stay on the step's stream.
 * @module
 */
import type { LineBatch } from "../core/line_batch.ts";
import { batchLines } from "../core/line_batch.ts";
import { splitTaskLabel } from "../core/stream_event.ts";
import type { Selection } from "./filter.ts";
import type { StreamHandle, StreamListener } from "./stream.ts";

/** One task's view of a labelled stream: its own key, part and line numbers. */
interface TaskView {
  handle: StreamHandle;
  /** line_num of this task's last line. */
  last: number;
}

/** One task's lines of a batch (or the unlabelled ones, without a view). */
interface Group {
  view?: TaskView;
  first: number;
  lines: string[];
  shown: string[];
  nums: number[];
}

/** Options for {@link splitTasks}. */
export interface SplitTasksOptions {
  /** Follow only this task (`--task N`); every task when undefined (`--tasks`). */
  only?: number;
}

/** Wrap `inner` so that labelled lines arrive split by task (see the module doc). */
export function splitTasks(inner: StreamListener, o: SplitTasksOptions = {}): StreamListener {
  const views = new Map<string, TaskView>();
  const viewOf = (s: StreamHandle, task: number): TaskView => {
    const key = `${s.jobId} task ${task}:${s.type}`;
    let v = views.get(key);
    if (!v) {
      // Everything else (state, source, job) is the step stream's own, read through.
      const handle = Object.create(s, {
        key: { value: key },
        part: { value: { label: `task ${task}`, task } },
      }) as StreamHandle;
      v = { handle, last: 0 };
      views.set(key, v);
      inner.onStart?.(handle);
    }
    return v;
  };
  return {
    async onLines(s: StreamHandle, batch: LineBatch, sel: Selection) {
      // Every line counts for its task's numbering; the filter's choice decides what is shown.
      const picked = sel.all ? undefined : new Set(sel.nums);
      const groups = new Map<number | undefined, Group>();
      batchLines(batch).forEach((line, i) => {
        const num = batch.firstLine + i;
        const { task, content } = splitTaskLabel(line);
        if (o.only !== undefined && task !== o.only) return;
        const view = task === undefined ? undefined : viewOf(s, task);
        const n = view ? ++view.last : num;
        let g = groups.get(task);
        if (!g) groups.set(task, g = { view, first: n, lines: [], shown: [], nums: [] });
        const text = task === undefined ? line : content;
        g.lines.push(text);
        if (!picked || picked.has(num)) {
          g.shown.push(text);
          g.nums.push(n);
        }
      });
      for (const g of groups.values()) {
        if (g.shown.length === 0) continue;
        const sub: LineBatch = {
          text: g.lines.join("\n") + "\n",
          count: g.lines.length,
          firstLine: g.first,
          startOffset: batch.startOffset,
          endOffset: batch.endOffset,
          time: batch.time,
        };
        const chosen: Selection = picked
          ? { all: false, lines: g.shown, nums: g.nums }
          : { all: true };
        await inner.onLines?.(g.view?.handle ?? s, sub, chosen);
      }
    },
    onProgress: (s, text, n) => inner.onProgress?.(s, text, n),
    onStatus: (s, ev) => inner.onStatus?.(s, ev),
    onStart: (s) => inner.onStart?.(s),
    onEnd(s) {
      for (const [key, v] of views) {
        if (key.startsWith(`${s.jobId} task `) && key.endsWith(`:${s.type}`)) {
          inner.onEnd?.(v.handle);
        }
      }
      inner.onEnd?.(s);
    },
  };
}
