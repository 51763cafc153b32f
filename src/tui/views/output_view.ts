/**
 * The output view: one job's stdout or stderr (Tab/`e` switches), opened at its start; `s`
 * starts streaming (follow: auto-scroll that stops when scrolled up and resumes at End),
 * a LIVE indicator; Esc goes back.
 * @module
 */
import type { JobInfo } from "../../cluster/job.ts";
import type { StreamType } from "../../core/stream_event.ts";
import { PaneModel } from "../model/pane_model.ts";
import type { KeyInfo } from "../widgets/blessed.ts";
import { StreamPaneWidget } from "../widgets/stream_pane.ts";
import { type Box, createBox } from "../widgets/blessed.ts";
import { paneKey, searchPrompt } from "./pane_keys.ts";
import type { App, View } from "./app.ts";

const OWNER = "output";

/** A job's output, full screen. */
export class OutputView implements View {
  readonly title = "Job output";
  #app: App;
  #header: Box;
  #pane: StreamPaneWidget;
  #model?: PaneModel;
  #job?: JobInfo;
  /** Streaming (follow) mode, switched by `s`. */
  #streaming = false;

  constructor(app: App) {
    this.#app = app;
    this.#header = createBox({ parent: app.screen, left: 0, top: 0, height: 1, width: "100%" });
    this.#pane = new StreamPaneWidget(app.screen);
  }

  show(): void {
    this.#header.show();
    this.#pane.box.show();
  }

  hide(): void {
    this.#header.hide();
    this.#pane.box.hide();
  }

  /** Open a job's output (stdout first). */
  open(jobId: string, job?: JobInfo): void {
    this.close();
    this.#job = job;
    this.#streaming = false;
    this.#switchTo(jobId, "stdout");
  }

  #switchTo(jobId: string, type: StreamType): void {
    if (this.#model) this.#app.release(this.#model.jobId, this.#model.type, OWNER);
    this.#model = new PaneModel(jobId, type);
    this.#app.want(jobId, type, OWNER).catch((err) => this.#app.fail(err));
  }

  /** Stop the stream (when leaving). */
  close(): void {
    if (this.#model) this.#app.release(this.#model.jobId, this.#model.type, OWNER);
    this.#model = undefined;
  }

  draw(): void {
    const m = this.#model;
    const screen = this.#app.screen;
    this.#pane.place({
      left: 0,
      top: 1,
      width: screen.width,
      height: Math.max(4, screen.height - 3),
    });
    if (!m) {
      this.#header.setContent(" No job open: Esc goes back to the jobs list");
      return;
    }
    const h = this.#app.handle(m.jobId, m.type);
    m.progress = this.#app.progress.get(h?.key ?? m.key);
    const src = h?.buffer?.all;
    if (!this.#streaming && m.anchor === undefined && src && src.length > 0) {
      // Not streaming: the view opens at the start of the output and stays put.
      m.home(src, this.#pane.bodyRows);
    }
    let live: string;
    if (!this.#streaming) live = "\x1b[33mSTATIC\x1b[0m (s: stream)";
    else if (h && (h.state === "ended" || h.state === "error")) live = "\x1b[36mENDED\x1b[0m";
    else if (m.following) live = "\x1b[42;30m ● LIVE \x1b[0m";
    else live = "\x1b[33mLIVE (scrolled: End follows)\x1b[0m";
    const name = this.#job?.name ? ` ${this.#job.name}` : "";
    this.#header.setContent(` Job ${m.jobId}${name} [${m.type.toUpperCase()}]  ${live}`);
    this.#pane.draw(m, h, {
      focused: true,
      highlights: this.#app.manager.filter.highlights,
      title: name.trim() || undefined,
    });
  }

  key(ch: string | undefined, key: KeyInfo): boolean {
    const m = this.#model;
    const name = key.full ?? key.name;
    if (name === "escape" || ch === "q") {
      this.close();
      this.#app.show("jobs");
      return true;
    }
    if (!m) return false;
    if (name === "tab" || ch === "e") {
      this.#switchTo(m.jobId, m.type === "stdout" ? "stderr" : "stdout");
      return true;
    }
    if (ch === "s") {
      this.#streaming = !this.#streaming;
      if (this.#streaming) m.end();
      else {
        const h = this.#app.handle(m.jobId, m.type);
        const src = h?.buffer?.all;
        if (src?.length) m.anchor = src.slice(src.length - 1, 1)[0].num;
      }
      this.#app.notify(
        this.#streaming ? "streaming: new lines appear as they are written" : "streaming stopped",
      );
      return true;
    }
    if ((name === "end" || ch === "G") && !this.#streaming) {
      const src = this.#app.handle(m.jobId, m.type)?.buffer?.all;
      if (src?.length) m.anchor = src.slice(src.length - 1, 1)[0].num;
      return true;
    }
    if (ch === "/") {
      searchPrompt(this.#app, () => this.#model, () => this.#pane.bodyRows);
      return true;
    }
    return paneKey(this.#app, m, this.#app.handle(m.jobId, m.type), ch, key, this.#pane.bodyRows);
  }

  status(): string {
    return " s:stream  Tab/e:stdout⇄stderr  ↑/↓ PgUp/PgDn Home/End:scroll  /:search n/N  t:time w:wrap  Esc:back  ?:help";
  }

  help(): string[] {
    return [
      "Job output",
      "  s              start/stop streaming (follow new lines; LIVE indicator)",
      "  Tab, e         switch stdout ⇄ stderr",
      "  ↑/↓ PgUp/PgDn  scroll (scrolling up stops auto-scroll)",
      "  Home/End       start / end (End resumes following)",
      "  /  n  N        search, next older match, next newer match",
      "  t              timestamps on/off      w   line wrap on/off",
      "  Esc, q         back to the jobs list",
    ];
  }
}
