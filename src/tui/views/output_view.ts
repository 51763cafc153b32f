/**
 * The output view: one job's stdout or stderr (Tab/`e` switches), opened at its newest line
 * and streaming, as `tail -f` does (follow: auto-scroll that stops when scrolled up and resumes
 * at End), a LIVE indicator; Esc goes back. `s` starts streaming mode — the guide's "press `o`, then
 * `s`" — so its first press in a view that opened streaming keeps it live (and follows again at
 * the newest line); after that `s` stops and starts it. Draws from the streams model; keys from
 * its table.
 * @module
 */
import type { JobInfo } from "../../cluster/job.ts";
import type { StreamType } from "../../core/stream_event.ts";
import { bindKeys, type BoundKeys } from "../model/key_table.ts";
import { safeText } from "../model/line_format.ts";
import { PaneModel } from "../model/pane_model.ts";
import type { StreamsModel } from "../model/streams_model.ts";
import { type Box, createBox } from "../widgets/blessed.ts";
import { StreamPaneWidget } from "../widgets/stream_pane.ts";
import { OUTPUT_KEYS, type OutputControls } from "./output_keys.ts";
import { PaneControls } from "./pane_controls.ts";
import type { View, ViewHost } from "./view_host.ts";

const OWNER = "output";

/** A job's output, full screen. */
export class OutputView implements View, OutputControls {
  readonly title = "Job output";
  readonly keys: BoundKeys;
  readonly pane: PaneControls;
  #host: ViewHost;
  #streams: StreamsModel;
  #header: Box;
  #widget: StreamPaneWidget;
  #model?: PaneModel;
  #job?: JobInfo;
  /** Streaming (follow) mode, switched by `s`. */
  #streaming = false;
  /** `s` was pressed since the view opened (before that, streaming is the view's own choice). */
  #chosen = false;

  constructor(host: ViewHost, streams: StreamsModel) {
    this.#host = host;
    this.#streams = streams;
    this.keys = bindKeys(OUTPUT_KEYS, this);
    this.pane = new PaneControls(
      host,
      streams,
      () => this.#model && { model: this.#model, rows: this.#widget.bodyRows },
      { end: (m) => this.#streaming ? false : (this.#pinToEnd(m), true) },
    );
    this.#header = createBox({ parent: host.screen, left: 0, top: 0, height: 1, width: "100%" });
    this.#widget = new StreamPaneWidget(host.screen);
  }

  show(): void {
    this.#header.show();
    this.#widget.box.show();
  }

  hide(): void {
    this.#header.hide();
    this.#widget.box.hide();
  }

  /**
   * Open a job's output (stdout first), at its newest line, following — unless streaming is
   * turned off (`streaming.enabled: false`): then it shows what the file holds, without following.
   */
  open(jobId: string, job?: JobInfo): void {
    this.close();
    this.#job = job;
    this.#streaming = !this.#host.streamingOff;
    this.#chosen = false;
    this.#switchTo(jobId, "stdout");
  }

  #switchTo(jobId: string, type: StreamType): void {
    if (this.#model) this.#streams.release(this.#model.jobId, this.#model.type, OWNER);
    this.#model = new PaneModel(jobId, type);
    const target = { kind: "job", jobId, via: "auto" } as const;
    this.#streams.want(target, type, OWNER).catch((err) => this.#host.fail(err));
  }

  /** Stop the stream (when leaving). */
  close(): void {
    if (this.#model) this.#streams.release(this.#model.jobId, this.#model.type, OWNER);
    this.#model = undefined;
  }

  /** Not streaming: End shows the last line without following. */
  #pinToEnd(m: PaneModel): void {
    const src = this.#streams.handle(m.jobId, m.type)?.buffer?.all;
    if (src?.length) m.anchor = src.slice(src.length - 1, 1)[0].num;
  }

  draw(): void {
    const m = this.#model;
    const screen = this.#host.screen;
    this.#widget.place({
      left: 0,
      top: 1,
      width: screen.width,
      height: Math.max(4, screen.height - 3),
    });
    if (!m) {
      this.#header.setContent(" No job open: Esc goes back to the jobs list");
      return;
    }
    const h = this.#streams.handle(m.jobId, m.type);
    m.progress = this.#streams.progress(h?.key ?? m.key);
    const src = h?.buffer?.all;
    if (!this.#streaming && m.anchor === undefined && src && src.length > 0) {
      // Not streaming (after `s`) and no position yet (Tab): the start, and it stays put.
      m.home(src, this.#widget.bodyRows);
    }
    let live: string;
    if (!this.#streaming) live = "\x1b[33mSTATIC\x1b[0m (s: stream)";
    else if (h && (h.state === "ended" || h.state === "error")) live = "\x1b[36mENDED\x1b[0m";
    else if (!src || !m.scrolledBack(src)) live = "\x1b[42;30m ● LIVE \x1b[0m";
    else live = "\x1b[33mLIVE (scrolled: End follows)\x1b[0m";
    const name = this.#job?.name ? ` ${safeText(this.#job.name)}` : "";
    this.#header.setContent(` Job ${m.jobId}${name} [${m.type.toUpperCase()}]  ${live}`);
    this.#widget.draw(m, h, {
      focused: true,
      highlights: this.#streams.highlights,
      title: name.trim() || undefined,
    });
  }

  toggleStreaming(): void {
    const m = this.#model;
    if (!m) return;
    if (!this.#streaming && this.#host.streamingOff) {
      return this.#host.notify(this.#host.streamingOff, true);
    }
    if (this.#streaming && !this.#chosen) {
      // Opened streaming: a user following the guide (`o`, then `s`) asks for what runs already.
      this.#chosen = true;
      m.end();
      return this.#host.notify("streaming: new lines appear as they are written (s again stops)");
    }
    this.#chosen = true;
    this.#streaming = !this.#streaming;
    if (this.#streaming) m.end();
    else this.#pinToEnd(m);
    this.#host.notify(
      this.#streaming ? "streaming: new lines appear as they are written" : "streaming stopped",
    );
  }

  switchType(): void {
    const m = this.#model;
    if (m) this.#switchTo(m.jobId, m.type === "stdout" ? "stderr" : "stdout");
  }

  back(): void {
    this.close();
    this.#host.show("jobs");
  }
}
