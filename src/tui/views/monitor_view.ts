/**
 * The Stream Monitor: draws the monitor model's panes in a grid (or merged by time) and runs
 * the actions of its key table. State and data live in the model.
 * @module
 */
import type { StreamType } from "../../core/stream_event.ts";
import type { StepInfo } from "../../cluster/job.ts";
import {
  type JobTarget,
  type StreamTarget,
  targetId,
  targetOfId,
} from "../../core/stream_target.ts";
import type { FollowOptions } from "../../engine/stream_manager.ts";
import { bindKeys, type BoundKeys } from "../model/key_table.ts";
import type { JobsModel } from "../model/jobs_model.ts";
import { gridLayout } from "../model/layout.ts";
import { formatLine } from "../model/line_format.ts";
import type { AddResult, MonitorModel, MonitorPane } from "../model/monitor_model.ts";
import { fitLine } from "../model/text_fit.ts";
import { type Box, createBox } from "../widgets/blessed.ts";
import { Picker, type PickItem } from "../widgets/modal.ts";
import { StreamPaneWidget } from "../widgets/stream_pane.ts";
import { MONITOR_KEYS, type MonitorControls } from "./monitor_keys.ts";
import type { PaneModel } from "../model/pane_model.ts";
import { PaneControls } from "./pane_controls.ts";
import { openFilterPrompt, openSavePrompt } from "./pane_prompts.ts";
import type { View, ViewHost } from "./view_host.ts";

/** The multi-stream monitor. */
export class MonitorView implements View, MonitorControls {
  readonly title = "Stream Monitor";
  readonly keys: BoundKeys;
  readonly pane: PaneControls;
  #host: ViewHost;
  #model: MonitorModel;
  #jobs: JobsModel;
  #saveDir: string;
  #root: Box;
  #empty: Box;
  #merged: Box;
  #widgets = new Map<PaneModel, StreamPaneWidget>();
  /** `+` is asking the cluster for running steps (the picker opens when it answers). */
  #listingSteps = false;

  constructor(host: ViewHost, model: MonitorModel, jobs: JobsModel, saveDir: string) {
    this.#host = host;
    this.#model = model;
    this.#jobs = jobs;
    this.#saveDir = saveDir;
    this.keys = bindKeys(MONITOR_KEYS, this);
    this.pane = new PaneControls(host, model.streams, () => {
      const m = this.#model.focused?.model;
      return m && { model: m, rows: this.#widgets.get(m)?.bodyRows ?? 10 };
    }, { missing: () => host.notify("no stream: press + to add one", true) });
    this.#root = createBox({
      parent: host.screen,
      left: 0,
      top: 0,
      width: "100%",
      height: "100%-2",
      border: "line",
      label: " Stream Monitor ",
      style: { border: { fg: "cyan" } },
    });
    this.#empty = createBox({
      parent: this.#root,
      left: "center",
      top: "center",
      width: 44,
      height: 3,
      content: "No streams yet.\nPress + (or Ctrl+s) to add one, ? for help.",
    });
    this.#merged = createBox({
      parent: this.#root,
      left: 1,
      top: 1,
      width: "100%-2",
      height: "100%-2",
      border: "line",
      hidden: true,
    });
  }

  show(): void {
    this.#root.show();
  }

  hide(): void {
    this.#root.hide();
  }

  get hasPane(): boolean {
    return this.#model.panes.length > 0;
  }

  get manyPanes(): boolean {
    return this.#model.panes.length > 1;
  }

  /** Add a pane and start its stream. */
  addStream(target: StreamTarget, type: StreamType): void {
    this.#report(this.#model.add(target, type), `job ${targetId(target)} ${type}`, "added");
  }

  /** Open a job by parts: one pane per task or node stream (see MonitorModel.addParts). */
  openParts(target: JobTarget, options: FollowOptions): void {
    const each = target.path ? "file" : "task";
    this.#report(
      this.#model.addParts(target, options),
      `job ${target.jobId}`,
      `one pane per ${each}:`,
    );
  }

  /** Say what became of adding `what`. */
  #report(r: AddResult, what: string, done: string): void {
    if (r.kind === "exists") return this.#host.notify(`${what} is already shown`);
    if (r.kind === "limit") {
      return this.#host.notify(
        `cannot add: ${r.limit} streams are running (streaming.max_concurrent_streams); remove one with - first`,
        true,
      );
    }
    r.started.then(() => this.#host.notify(`${done} ${what}`), (err) => this.#host.fail(err));
  }

  /**
   * `+`: pick a job (or a running srun step of one, read through sattach), or type an id on the
   * first row; then stdout, stderr or both.
   */
  promptAdd(): void {
    if (this.#listingSteps) return;
    this.#listingSteps = true;
    this.#jobs.runningSteps().then(
      (steps) => this.#openAdd(steps),
      (err) => {
        this.#openAdd([]);
        this.#host.notify(`job steps not listed: ${(err as Error).message}`, true);
      },
    ).finally(() => this.#listingSteps = false);
  }

  #openAdd(steps: StepInfo[]): void {
    const items: PickItem<string>[] = [];
    // The id column as wide as the longest id (an array record's "123_[1-40%4]" too).
    const idWidth = Math.max(8, ...this.#jobs.shown.map((j) => j.id.length));
    for (const j of this.#jobs.shown) {
      items.push({
        label: `${j.id.padEnd(idWidth)} ${j.name.slice(0, 20).padEnd(20)} ${j.state}`,
        value: j.id,
      });
      for (const s of steps.filter((s) => s.jobId === j.id)) {
        items.push({ label: `${s.id} (step, via sattach) ${s.name.slice(0, 20)}`, value: s.id });
      }
    }
    this.#host.openModal(
      new Picker(this.#host.screen, "Add stream: pick a job", items, (id) => this.#pickType(id), {
        input: { placeholder: "Type a job id…", label: "Job id", value: (text) => text },
      }),
    );
  }

  #pickType(id: string): void {
    // A step's I/O comes from Slurm through sattach (the api source), not from the job's files.
    const target = targetOfId(id);
    const items: PickItem<StreamType | "both">[] = [
      { label: "stdout", value: "stdout" },
      { label: "stderr", value: "stderr" },
      { label: "both", value: "both" },
    ];
    const what = target.kind === "step" ? `Step ${id}` : `Job ${id}`;
    this.#host.openModal(
      new Picker(this.#host.screen, `${what}: which output?`, items, (t) => {
        if (t === "both") {
          this.addStream(target, "stdout");
          this.addStream(target, "stderr");
        } else this.addStream(target, t);
      }),
    );
  }

  draw(): void {
    const screen = this.#host.screen;
    const w = Math.max(1, screen.width - 2);
    const h = Math.max(1, screen.height - 4);
    const panes = this.#model.panes;
    const n = panes.length;
    // The hint under a popup would leave its letters on either side of it.
    if (n === 0 && !this.#host.modalOpen) this.#empty.show();
    else this.#empty.hide();
    for (const [m, widget] of this.#widgets) {
      if (!panes.some((p) => p.model === m)) {
        widget.destroy();
        this.#widgets.delete(m);
      }
    }
    if (this.#model.merged && n > 0) {
      for (const widget of this.#widgets.values()) widget.box.hide();
      this.#drawMerged(w, h);
      this.#root.setLabel(` Stream Monitor: merged view of ${n} streams (m: grid) `);
      return;
    }
    this.#merged.hide();
    const focus = this.#model.focus;
    const layout = gridLayout(n, w, h, focus);
    const shown = new Set(layout.shown);
    panes.forEach((p, i) => {
      let widget = this.#widgets.get(p.model);
      if (!shown.has(i)) {
        widget?.box.hide();
        return;
      }
      if (!widget) this.#widgets.set(p.model, widget = new StreamPaneWidget(this.#root));
      widget.box.show();
      const r = layout.rects[layout.shown.indexOf(i)];
      // Positions count from the monitor's outer edge: step inside its border.
      widget.place({ ...r, left: r.left + 1, top: r.top + 1 });
      const handle = this.#model.handleOf(p);
      p.model.progress = this.#model.streams.progress(handle?.key ?? p.model.key);
      widget.draw(p.model, handle, {
        focused: i === focus,
        highlights: this.#model.streams.highlights,
        title: handle?.part?.label,
      });
    });
    const hidden = n - layout.shown.length;
    this.#root.setLabel(
      ` Stream Monitor${hidden > 0 ? `: showing ${layout.shown.length} of ${n} (←/→ pages)` : ""} `,
    );
  }

  #drawMerged(w: number, h: number): void {
    this.#merged.show();
    this.#merged.width = w;
    this.#merged.height = h;
    const rows = Math.max(1, h - 2);
    const inner = Math.max(1, w - 2);
    const focused = this.#model.focused?.model;
    const out: string[] = [];
    for (const { line, tag } of this.#model.mergedLines(rows)) {
      const text = formatLine(line, {
        highlights: this.#model.streams.highlights,
        timestamps: focused?.timestamps,
        tag,
      });
      out.push(...fitLine(text, inner, focused?.wrap ?? true));
    }
    this.#merged.setLabel(` All streams by time (${this.#model.panes.length}) `);
    this.#merged.setContent(out.slice(-rows).join("\n"));
  }

  statusPrefix(): string {
    const m = this.#model;
    const paused = m.pausedCount;
    return `Streams: ${m.panes.length} | Active: ${m.activeCount}${
      paused ? ` | Paused: ${paused}` : ""
    } |`;
  }

  /** The focused pane, or a message that there is none. */
  #focused(): MonitorPane | undefined {
    const p = this.#model.focused;
    if (!p) this.#host.notify("no stream: press + to add one", true);
    return p;
  }

  removeFocused(): void {
    const p = this.#focused();
    if (!p) return;
    this.#model.remove(p);
    this.#host.notify(`removed job ${p.model.jobId} ${p.model.type}`);
  }

  moveFocus(delta: number): void {
    this.#model.moveFocus(delta);
  }

  clearFocused(): void {
    const p = this.#focused();
    if (!p) return;
    this.#model.clear(p);
    this.#host.notify(`cleared job ${p.model.jobId} ${p.model.type}`);
  }

  togglePause(): void {
    const p = this.#focused();
    if (!p) return;
    const m = p.model;
    m.togglePause(this.#model.handleOf(p)?.lines ?? 0);
    this.#host.notify(
      m.pausedAt !== undefined
        ? `paused job ${m.jobId} ${m.type}: lines keep buffering`
        : `resumed job ${m.jobId} ${m.type}`,
    );
  }

  restartFocused(): void {
    const p = this.#focused();
    if (!p) return;
    this.#model.restart(p).then(
      () => this.#host.notify(`restarted job ${p.model.jobId} ${p.model.type}`),
      (err) => this.#host.fail(err),
    );
  }

  toggleMerged(): void {
    this.#model.merged = !this.#model.merged;
  }

  close(): void {
    this.#host.closeMonitor();
  }

  filterPrompt(): void {
    const m = this.#focused()?.model;
    if (m) openFilterPrompt(this.#host, m);
  }

  savePrompt(): void {
    const p = this.#focused();
    if (!p) return;
    openSavePrompt(this.#host, p.model, {
      saveDir: this.#saveDir,
      lines: () => this.#model.handleOf(p)?.buffer?.all,
    });
  }
}
