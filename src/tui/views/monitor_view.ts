/**
 * The Stream Monitor: a grid of stream panes with the guide's keys (+ - ←/→ ↑/↓ f c p s r q),
 * plus a merged view of all panes ordered by time (m).
 * @module
 */
import { dirname } from "node:path";
import { compileUserPattern } from "../../engine/filter.ts";
import type { StartOptions, StreamHandle } from "../../engine/stream_manager.ts";
import type { StreamType } from "../../core/stream_event.ts";
import { expandHome } from "../../platform/paths.ts";
import { gridLayout } from "../model/layout.ts";
import { formatLine } from "../model/line_format.ts";
import { type PaneLine, PaneModel } from "../model/pane_model.ts";
import { fitLine } from "../model/text_fit.ts";
import { type Box, createBox, type KeyInfo } from "../widgets/blessed.ts";
import { Picker, type PickItem, Prompt } from "../widgets/modal.ts";
import { StreamPaneWidget } from "../widgets/stream_pane.ts";
import type { App, View } from "./app.ts";
import { paneKey, searchPrompt } from "./pane_keys.ts";
import { writeAll } from "../../platform/write_all.ts";

const OWNER = "monitor";

interface Entry {
  model: PaneModel;
  options: StartOptions;
  widget?: StreamPaneWidget;
}

/** The multi-stream monitor. */
export class MonitorView implements View {
  readonly title = "Stream Monitor";
  #app: App;
  #root: Box;
  #empty: Box;
  #merged: Box;
  #entries: Entry[] = [];
  #focus = 0;
  #showMerged = false;
  #rows = new Map<string, number>();

  constructor(app: App) {
    this.#app = app;
    this.#root = createBox({
      parent: app.screen,
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

  /** The focused pane's model. */
  get focused(): PaneModel | undefined {
    return this.#entries[this.#focus]?.model;
  }

  /** Add a pane and start its stream. */
  addStream(jobId: string, type: StreamType, options: StartOptions = {}): void {
    const existing = this.#entries.findIndex((e) =>
      e.model.jobId === jobId && e.model.type === type
    );
    if (existing >= 0) {
      this.#focus = existing;
      this.#app.notify(`job ${jobId} ${type} is already shown`);
      return;
    }
    const limit = this.#app.config.streaming.max_concurrent_streams;
    const active =
      this.#app.manager.streams.filter((s) => s.state !== "ended" && s.state !== "error").length;
    if (active >= limit && !this.#app.handle(jobId, type)) {
      this.#app.notify(
        `cannot add: ${limit} streams are running (streaming.max_concurrent_streams); remove one with - first`,
        true,
      );
      return;
    }
    const entry: Entry = { model: new PaneModel(jobId, type), options };
    this.#entries.push(entry);
    this.#focus = this.#entries.length - 1;
    this.#app.want(jobId, type, OWNER, options).then(
      () => this.#app.notify(`added job ${jobId} ${type}`),
      (err) => {
        this.#app.fail(err);
        this.#drop(entry);
      },
    );
  }

  #drop(entry: Entry): void {
    const i = this.#entries.indexOf(entry);
    if (i < 0) return;
    entry.widget?.destroy();
    this.#entries.splice(i, 1);
    this.#focus = Math.max(0, Math.min(this.#focus, this.#entries.length - 1));
    this.#app.markDirty();
  }

  /** `+`: pick a job (or type an id), then stdout or stderr. */
  promptAdd(): void {
    const jobs = this.#app.jobs.model.shown;
    const items: PickItem<string | undefined>[] = [{ label: "Type a job id…", value: undefined }];
    for (const j of jobs) {
      items.push({
        label: `${j.id.padEnd(8)} ${j.name.slice(0, 20).padEnd(20)} ${j.state}`,
        value: j.id,
      });
    }
    this.#app.openModal(
      new Picker(this.#app.screen, "Add stream: pick a job", items, (id) => {
        if (id) return this.#pickType(id);
        this.#app.openModal(
          new Prompt(this.#app.screen, {
            label: "Job id",
            onSubmit: (v) => {
              if (v.trim()) this.#pickType(v.trim());
            },
          }),
        );
      }),
    );
  }

  #pickType(jobId: string): void {
    const items: PickItem<StreamType | "both">[] = [
      { label: "stdout", value: "stdout" },
      { label: "stderr", value: "stderr" },
      { label: "both", value: "both" },
    ];
    this.#app.openModal(
      new Picker(this.#app.screen, `Job ${jobId}: which output?`, items, (t) => {
        if (t === "both") {
          this.addStream(jobId, "stdout");
          this.addStream(jobId, "stderr");
        } else this.addStream(jobId, t);
      }),
    );
  }

  #handle(e: Entry | undefined): StreamHandle | undefined {
    return e ? this.#app.handle(e.model.jobId, e.model.type) : undefined;
  }

  draw(): void {
    const screen = this.#app.screen;
    const w = Math.max(1, screen.width - 2);
    const h = Math.max(1, screen.height - 4);
    const n = this.#entries.length;
    if (n === 0) this.#empty.show();
    else this.#empty.hide();
    const highlights = this.#app.manager.filter.highlights;
    if (this.#showMerged && n > 0) {
      for (const e of this.#entries) e.widget?.box.hide();
      this.#drawMerged(w, h);
      this.#root.setLabel(` Stream Monitor: merged view of ${n} streams (m: grid) `);
      return;
    }
    this.#merged.hide();
    const layout = gridLayout(n, w, h, this.#focus);
    const shown = new Set(layout.shown);
    this.#entries.forEach((e, i) => {
      if (!shown.has(i)) {
        e.widget?.box.hide();
        return;
      }
      e.widget ??= new StreamPaneWidget(this.#root);
      e.widget.box.show();
      const r = layout.rects[layout.shown.indexOf(i)];
      // Positions count from the monitor's outer edge: step inside its border.
      e.widget.place({ ...r, left: r.left + 1, top: r.top + 1 });
      const handle = this.#handle(e);
      e.model.progress = this.#app.progress.get(handle?.key ?? e.model.key);
      e.widget.draw(e.model, handle, { focused: i === this.#focus, highlights });
      this.#rows.set(e.model.key, e.widget.bodyRows);
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
    const all: { line: PaneLine; tag: string; order: number }[] = [];
    this.#entries.forEach((e, order) => {
      const src = this.#handle(e)?.buffer?.all;
      if (!src) return;
      const tag = `${e.model.jobId}:${e.model.type === "stdout" ? "out" : "err"}`;
      for (const line of e.model.visible(src, rows)) all.push({ line, tag, order });
    });
    all.sort((a, b) => a.line.time - b.line.time || a.order - b.order || a.line.num - b.line.num);
    const focused = this.focused;
    const out: string[] = [];
    for (const { line, tag } of all.slice(-rows)) {
      const text = formatLine(line, {
        highlights: this.#app.manager.filter.highlights,
        timestamps: focused?.timestamps,
        tag,
      });
      out.push(...fitLine(text, inner, focused?.wrap ?? true));
    }
    this.#merged.setLabel(` All streams by time (${this.#entries.length}) `);
    this.#merged.setContent(out.slice(-rows).join("\n"));
  }

  key(ch: string | undefined, key: KeyInfo): boolean {
    const name = key.full ?? key.name;
    const e = this.#entries[this.#focus];
    const m = e?.model;
    if (ch === "q" || name === "escape") {
      this.#app.closeMonitor();
      return true;
    }
    if (ch === "+") {
      this.promptAdd();
      return true;
    }
    if (name === "left" || name === "right") {
      const n = this.#entries.length;
      if (n) this.#focus = (this.#focus + (name === "left" ? n - 1 : 1)) % n;
      return true;
    }
    if (ch === "m") {
      this.#showMerged = !this.#showMerged;
      return true;
    }
    if (!e || !m) {
      if (ch && "-fcpsr/".includes(ch)) this.#app.notify("no stream: press + to add one", true);
      return false;
    }
    const h = this.#handle(e);
    const rows = this.#rows.get(m.key) ?? 10;
    if (ch === "-") {
      this.#app.release(m.jobId, m.type, OWNER);
      this.#drop(e);
      this.#app.notify(`removed job ${m.jobId} ${m.type}`);
      return true;
    }
    if (ch === "f" || name === "C-f") {
      this.#filterPrompt(m);
      return true;
    }
    if (ch === "c") {
      h?.buffer?.clear();
      m.end();
      this.#app.progress.delete(h?.key ?? m.key);
      this.#app.notify(`cleared job ${m.jobId} ${m.type}`);
      return true;
    }
    if (ch === "p") {
      m.togglePause(h?.lines ?? 0);
      this.#app.notify(
        m.pausedAt !== undefined
          ? `paused job ${m.jobId} ${m.type}: lines keep buffering`
          : `resumed job ${m.jobId} ${m.type}`,
      );
      return true;
    }
    if (ch === "s") {
      this.#savePrompt(e, h);
      return true;
    }
    if (ch === "r") {
      m.end();
      m.pausedAt = undefined;
      this.#app.restart(m.jobId, m.type, e.options).then(
        () => this.#app.notify(`restarted job ${m.jobId} ${m.type}`),
        (err) => this.#app.fail(err),
      );
      return true;
    }
    if (ch === "/") {
      searchPrompt(this.#app, () => this.focused, () => this.#rows.get(m.key) ?? 10);
      return true;
    }
    return paneKey(this.#app, m, h, ch, key, rows);
  }

  #filterPrompt(m: PaneModel): void {
    const before = m.filterText;
    const apply = (v: string): boolean => {
      try {
        m.setFilter(v, (p) => compileUserPattern(p, "filter"));
        this.#app.notify(v ? `filter /${v}/ on job ${m.jobId} ${m.type}` : "filter removed");
        return true;
      } catch (err) {
        this.#app.fail(err);
        return false;
      }
    };
    this.#app.openModal(
      new Prompt(this.#app.screen, {
        label: "Filter (regex, empty removes)",
        initial: before,
        onChange: (v) => {
          apply(v);
          this.#app.markDirty();
        },
        onSubmit: (v) => {
          if (!apply(v)) m.setFilter(before, (p) => compileUserPattern(p, "filter"));
        },
        onCancel: () => m.setFilter(before, (p) => compileUserPattern(p, "filter")),
      }),
    );
  }

  #savePrompt(e: Entry, h: StreamHandle | undefined): void {
    const m = e.model;
    const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*$/, "").replace(
      "T",
      "-",
    );
    const safeId = m.jobId.replace(/[^\w.-]/g, "_");
    const initial = `${expandHome(this.#app.saveDir)}/${safeId}-${m.type}-${stamp}.log`;
    this.#app.openModal(
      new Prompt(this.#app.screen, {
        label: "Save to",
        initial,
        onSubmit: (path) => {
          if (!path.trim()) return;
          save(path.trim(), m, h).then(
            (n) =>
              this.#app.notify(`saved ${n} lines of job ${m.jobId} ${m.type} to ${path.trim()}`),
            (err) => this.#app.fail(err),
          );
        },
      }),
    );
  }

  status(): string {
    const n = this.#entries.length;
    const handles = this.#entries.map((e) => this.#handle(e));
    const active = handles.filter((h) => h && h.state !== "ended" && h.state !== "error").length;
    const paused = this.#entries.filter((e) => e.model.pausedAt !== undefined).length;
    return ` Streams: ${n} | Active: ${active}${paused ? ` | Paused: ${paused}` : ""} | ` +
      "+ add  - remove  ←/→ focus  f filter  c clear  p pause  s save  r restart  m merge  ? help  q close";
  }

  help(): string[] {
    return [
      "Stream Monitor",
      "  +, Ctrl+s      add a stream (pick a job or type an id; stdout/stderr)",
      "  -              remove the focused stream",
      "  ←/→            focus previous/next stream",
      "  ↑/↓ PgUp/PgDn  scroll the focused stream; Home/End (End follows again)",
      "  f, Ctrl+f      filter the focused stream (regex, applied as you type)",
      "  c              clear the stream's buffer",
      "  p              pause/resume (lines keep buffering; count shown)",
      "  s              save the stream to a file",
      "  r              restart the stream (read again from the start)",
      "  /  n  N        search; next older / newer match",
      "  t  w  m        timestamps, line wrap, merged view by time",
      "  q, Esc         close the monitor (streams keep running)",
    ];
  }
}

/** Write a pane's lines (its filter applied) to a file; returns how many. */
async function save(path: string, m: PaneModel, h: StreamHandle | undefined): Promise<number> {
  const src = h?.buffer?.all;
  await Deno.mkdir(dirname(path), { recursive: true });
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const enc = new TextEncoder();
  let n = 0;
  try {
    const len = src?.length ?? 0;
    for (let from = 0; from < len; from += 4096) {
      let text = "";
      for (const l of src!.slice(from, 4096)) {
        if (m.filter && !m.filter.test(l.content)) continue;
        text += l.content + "\n";
        n++;
      }
      if (text) await writeAll(file, enc.encode(text));
    }
  } finally {
    file.close();
  }
  return n;
}
