/**
 * The Stream Monitor's state: its panes (one per job stream, each with its own view state), the
 * focus, the merged view, and adding panes within `max_concurrent_streams`. The merged view's
 * lines are gathered and ordered here, so the view only draws. No neo-blessed.
 * @module
 */
import type { FollowOptions, StreamHandle } from "../../engine/stream_manager.ts";
import type { StreamType } from "../../core/stream_event.ts";
import { type JobTarget, type StreamTarget, targetId } from "../../core/stream_target.ts";
import { type PaneLine, PaneModel } from "./pane_model.ts";
import type { StreamsModel } from "./streams_model.ts";

const OWNER = "monitor";

/** One pane of the monitor. */
export interface MonitorPane {
  model: PaneModel;
  /** What the pane follows. */
  target: StreamTarget;
  /** A task's or node's stream of a job opened by parts (its stream belongs to the job's pane). */
  part?: boolean;
}

/** What became of a request to add a pane. */
export type AddResult =
  | { kind: "added"; pane: MonitorPane; started: Promise<void> }
  | { kind: "exists" }
  | { kind: "limit"; limit: number };

/** A line of the merged view with the stream it came from. */
export interface MergedLine {
  line: PaneLine;
  /** "123:out" or "123:err". */
  tag: string;
}

/** State of the Stream Monitor. */
export class MonitorModel {
  readonly streams: StreamsModel;
  #panes: MonitorPane[] = [];
  /** Jobs opened by parts, with their targets. */
  #byParts = new Map<string, JobTarget>();
  #stopWatching?: () => void;
  #focus = 0;
  /** Showing all panes merged by time instead of the grid. */
  merged = false;

  constructor(streams: StreamsModel) {
    this.streams = streams;
  }

  /** The panes, in order. */
  get panes(): readonly MonitorPane[] {
    return this.#panes;
  }

  /** Index of the focused pane. */
  get focus(): number {
    return this.#focus;
  }

  /** The focused pane. */
  get focused(): MonitorPane | undefined {
    return this.#panes[this.#focus];
  }

  /** A pane's stream handle. */
  handleOf(pane: MonitorPane | undefined): StreamHandle | undefined {
    return pane ? this.streams.handleFor(pane.model) : undefined;
  }

  /** Add a pane and start its stream (unless it is shown already or the limit is reached). */
  add(target: StreamTarget, type: StreamType): AddResult {
    const jobId = targetId(target);
    const existing = this.#panes.findIndex((p) => p.model.jobId === jobId && p.model.type === type);
    if (existing >= 0) {
      this.#focus = existing;
      return { kind: "exists" };
    }
    const limit = this.streams.limit;
    if (this.streams.active >= limit && !this.streams.handle(jobId, type)) {
      return { kind: "limit", limit };
    }
    const pane: MonitorPane = { model: new PaneModel(jobId, type), target };
    this.#panes.push(pane);
    this.#focus = this.#panes.length - 1;
    const started = this.streams.want(target, type, OWNER).catch((err) => {
      this.#drop(pane);
      throw err;
    });
    return { kind: "added", pane, started };
  }

  /** Remove a pane; its stream stops unless another view still shows it. */
  remove(pane: MonitorPane): void {
    if (!pane.part) this.streams.release(pane.model.jobId, pane.model.type, OWNER);
    this.#drop(pane);
  }

  /**
   * Open a job by parts: its stream (its `path` a per-task or per-node pattern, or with
   * `splitTasks`), then one pane per task or node stream as each appears. With a path, the
   * job's own pane goes once its parts have come (it has no lines of its own).
   */
  addParts(target: JobTarget, options: FollowOptions): AddResult {
    this.#byParts.set(target.jobId, target);
    this.#stopWatching ??= this.streams.onNewStream((s) => this.#notePart(s));
    const jobId = targetId(target);
    const limit = this.streams.limit;
    if (this.streams.active >= limit) return { kind: "limit", limit };
    const pane: MonitorPane = { model: new PaneModel(jobId, "stdout"), target };
    this.#panes.push(pane);
    this.#focus = this.#panes.length - 1;
    const started = this.streams.want(target, "stdout", OWNER, options).catch((err) => {
      this.#drop(pane);
      throw err;
    });
    return { kind: "added", pane, started };
  }

  #notePart(s: StreamHandle): void {
    const target = s.part && this.#byParts.get(s.jobId);
    if (!target || this.#panes.some((p) => p.model.key === s.key)) return;
    const model = new PaneModel(s.jobId, s.type);
    model.key = s.key;
    this.#panes.push({ model, target, part: true });
    if (target.path) {
      const own = this.#panes.findIndex((p) => !p.part && p.model.jobId === s.jobId);
      if (own >= 0) this.#panes.splice(own, 1);
    }
    this.#focus = Math.max(0, Math.min(this.#focus, this.#panes.length - 1));
  }

  #drop(pane: MonitorPane): void {
    const i = this.#panes.indexOf(pane);
    if (i < 0) return;
    this.#panes.splice(i, 1);
    this.#focus = Math.max(0, Math.min(this.#focus, this.#panes.length - 1));
  }

  /** Move the focus by `delta` panes, wrapping around. */
  moveFocus(delta: number): void {
    const n = this.#panes.length;
    if (n) this.#focus = (((this.#focus + delta) % n) + n) % n;
  }

  /** Clear a pane's buffer and follow again. */
  clear(pane: MonitorPane): void {
    const h = this.handleOf(pane);
    h?.buffer?.clear();
    pane.model.end();
    this.streams.clearProgress(h?.key ?? pane.model.key);
  }

  /** Read a pane's stream again from the start. */
  async restart(pane: MonitorPane): Promise<void> {
    pane.model.end();
    pane.model.pausedAt = undefined;
    await this.streams.restart(pane.target, pane.model.type);
  }

  /** Panes whose stream is running. */
  get activeCount(): number {
    return this.#panes.map((p) => this.handleOf(p)).filter((h) =>
      h && h.state !== "ended" && h.state !== "error"
    ).length;
  }

  /** Paused panes. */
  get pausedCount(): number {
    return this.#panes.filter((p) => p.model.pausedAt !== undefined).length;
  }

  /** The newest `rows` lines of all panes (each pane's view state applied), oldest first. */
  mergedLines(rows: number): MergedLine[] {
    const all: { line: PaneLine; tag: string; order: number }[] = [];
    this.#panes.forEach((p, order) => {
      const src = this.handleOf(p)?.buffer?.all;
      if (!src) return;
      const name = p.part ? p.model.key.slice(0, p.model.key.lastIndexOf(":")) : p.model.jobId;
      const tag = `${name}:${p.model.type === "stdout" ? "out" : "err"}`;
      for (const line of p.model.visible(src, rows)) all.push({ line, tag, order });
    });
    all.sort((a, b) => a.line.time - b.line.time || a.order - b.order || a.line.num - b.line.num);
    return all.slice(-rows).map(({ line, tag }) => ({ line, tag }));
  }
}
