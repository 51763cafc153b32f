/**
 * The terminal UI's controller: owns the screen and the models, routes keys (modal → global
 * table → the view's table), redraws when a model says it changed (models batch on a timer) or
 * after a key, and always gives the terminal back on exit. Views see it only as a ViewHost.
 * @module
 */
import { statePollMs } from "../../config/poll_interval.ts";
import type { ClusterBackend, JobInfo } from "../../cluster/job.ts";
import { isTerminal } from "../../cluster/job.ts";
import type { Config } from "../../config/schema.ts";
import type { StreamManager } from "../../engine/stream_manager.ts";
import type { JobTarget } from "../../core/stream_target.ts";
import { hasAllocationFields } from "../../engine/job_parts.ts";
import { type DebugLog, NO_DEBUG } from "../../core/debug_log.ts";
import { bindKeys, type BoundKeys } from "../model/key_table.ts";
import { JobsModel } from "../model/jobs_model.ts";
import { safeText } from "../model/line_format.ts";
import { MonitorModel } from "../model/monitor_model.ts";
import { StreamsModel } from "../model/streams_model.ts";
import { fitLine } from "../model/text_fit.ts";
import {
  beforeResizeRender,
  type Box,
  createBox,
  createScreen,
  type KeyInfo,
  type Screen,
} from "../widgets/blessed.ts";
import { HelpOverlay, type Modal } from "../widgets/modal.ts";
import { GLOBAL_KEYS, type GlobalControls } from "./global_keys.ts";
import { JobsView } from "./jobs_view.ts";
import { MonitorView } from "./monitor_view.ts";
import { OutputView } from "./output_view.ts";
import type { View, ViewHost, ViewName } from "./view_host.ts";

/** What the app needs. */
export interface AppOptions {
  config: Config;
  manager: StreamManager;
  cluster?: ClusterBackend;
  /** Where `s` saves pane contents by default. */
  saveDir: string;
  /** A message to show at start (e.g. why there is no cluster). */
  startupMessage?: string;
  /** Open the monitor on this file at start (benchmarks). */
  streamPath?: string;
  /** `s9s --job ID [--path PATTERN]`: start in this job's output, or by parts in the monitor. */
  openJob?: { id: string; path?: string };
  /** Why streaming is off (`streaming.enabled: false`): the monitor shows it instead of opening. */
  streamingOff?: string;
  debug?: DebugLog;
}

/** Rows the message line may take (a long error wraps instead of running off the screen). */
const MESSAGE_ROWS = 3;

/** The running UI. */
export class App implements ViewHost, GlobalControls {
  readonly screen: Screen;
  #jobsModel: JobsModel;
  #streams: StreamsModel;
  #config: Config;
  #streamingOff?: string;
  #jobs: JobsView;
  #output: OutputView;
  #monitor: MonitorView;
  #globalKeys: BoundKeys;
  #view: ViewName = "jobs";
  #back: ViewName = "jobs";
  #modal?: Modal;
  #msgBox: Box;
  #statusBox: Box;
  #message = "";
  #messageError = false;
  #dirty = true;
  #timers: ReturnType<typeof setInterval>[] = [];
  #finish!: () => void;
  #finished: Promise<void>;
  #done = false;
  #debug: DebugLog;
  #opts: AppOptions;
  #clusterName?: string;

  constructor(options: AppOptions) {
    this.#opts = options;
    this.#config = options.config;
    this.#streamingOff = options.streamingOff;
    this.#debug = options.debug ?? NO_DEBUG;
    this.#clusterName = options.cluster?.name;
    this.#finished = new Promise((r) => (this.#finish = r));
    this.#jobsModel = new JobsModel(options.cluster);
    this.#streams = new StreamsModel(options.manager);
    this.screen = createScreen("s9s");
    this.#msgBox = createBox({ parent: this.screen, left: 0, bottom: 1, height: 1, width: "100%" });
    this.#statusBox = createBox({
      parent: this.screen,
      left: 0,
      bottom: 0,
      height: 1,
      width: "100%",
      style: { fg: "black", bg: "white" },
    });
    this.#jobs = new JobsView(this, this.#jobsModel);
    this.#output = new OutputView(this, this.#streams);
    const monitor = new MonitorModel(this.#streams);
    this.#monitor = new MonitorView(this, monitor, this.#jobsModel, options.saveDir);
    this.#globalKeys = bindKeys(GLOBAL_KEYS, this);
    this.#output.hide();
    this.#monitor.hide();
    if (options.startupMessage) this.notify(options.startupMessage, true);
    if (options.streamPath && !options.streamingOff) {
      this.#monitor.addStream({ kind: "file", label: "file", path: options.streamPath }, "stdout");
      this.show("monitor");
    }
  }

  /** Run until the user quits. */
  async run(): Promise<void> {
    this.screen.on("keypress", (ch, key) => this.#onKey(ch, key));
    // Laid out for the new size before blessed paints it; drawn again after, as for any change.
    beforeResizeRender(this.screen, () => this.#layout());
    this.screen.on("resize", () => this.#drawNow());
    // The intervals as configured (refresh_interval has a schema minimum of 16 ms).
    const refresh = this.#config.streaming.refresh_interval;
    const poll = statePollMs(this.#config, this.#clusterName);
    this.#debug.log("TUI", `redraw every ${refresh} ms; job list every ${poll} ms`);
    this.#streams.start({ streamsChanged: () => this.#drawNow() }, refresh);
    this.#jobsModel.start({
      jobsChanged: () => this.markDirty(),
      jobsFailed: (err) => this.fail(err),
    }, poll);
    let last = performance.now();
    this.#timers.push(setInterval(() => {
      const now = performance.now();
      // A late tick means something held the event loop (and the keyboard) that long.
      if (now - last > refresh + 150) {
        this.#debug.log("TUI", `event loop stalled ${Math.round(now - last - refresh)}ms`);
      }
      last = now;
      if (this.#dirty) {
        this.#drawNow();
        const took = performance.now() - now;
        if (took > 50) this.#debug.log("TUI", `draw took ${Math.round(took)}ms`);
      }
    }, refresh));
    // Elapsed times tick even when nothing else changes.
    this.#timers.push(setInterval(() => this.markDirty(), 1000));
    this.#drawNow();
    if (this.#opts.openJob) void this.#openAtStart(this.#opts.openJob);
    await this.#finished;
  }

  /** Leave the UI: stop timers, restore the terminal. Safe to call more than once. */
  shutdown(): void {
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    this.#streams.stop();
    this.#jobsModel.stop();
    try {
      this.screen.destroy();
    } catch {
      // Fall back to the raw sequences: normal screen, cursor on, attributes off.
      try {
        Deno.stdout.writeSync(new TextEncoder().encode("\x1b[?1049l\x1b[?25h\x1b[0m"));
      } catch { /* nothing to restore to */ }
    }
    try {
      if (Deno.stdin.isTerminal()) Deno.stdin.setRaw(false);
    } catch { /* not a terminal */ }
    this.#finish();
  }

  /** Ask for a redraw on the next tick. */
  markDirty(): void {
    this.#dirty = true;
  }

  /** Show a message in the message line (errors in red). */
  notify(text: string, error = false): void {
    this.#message = safeText(text.replace(/\s*\n\s*/g, " "));
    this.#messageError = error;
    this.#dirty = true;
  }

  /** Report a failure of an action in the message line. */
  fail(err: unknown): void {
    const e = err as Error & { hint?: string };
    this.notify(`error: ${e?.message ?? String(err)}${e?.hint ? ` (hint: ${e.hint})` : ""}`, true);
  }

  /** Whether a modal is open. */
  get modalOpen(): boolean {
    return this.#modal !== undefined;
  }

  /** Open a modal that takes the keyboard until it closes. */
  openModal<M extends Modal & { onClose?: () => void }>(modal: M): M {
    this.#modal?.close();
    this.#modal = modal;
    modal.onClose = () => {
      if (this.#modal === modal) this.#modal = undefined;
      this.#dirty = true;
    };
    this.#drawNow();
    return modal;
  }

  /** Why streaming is off, if it is. */
  get streamingOff(): string | undefined {
    return this.#streamingOff;
  }

  /** Switch view. */
  show(name: ViewName): void {
    if (name === this.#view) return;
    if (name === "monitor" && this.#streamingOff) return this.notify(this.#streamingOff, true);
    if (name === "monitor") this.#back = this.#view;
    this.#viewOf(this.#view).hide();
    this.#view = name;
    this.#viewOf(name).show();
    this.#dirty = true;
  }

  /** Close the monitor: back to where it was opened from. */
  closeMonitor(): void {
    this.show(this.#back === "monitor" ? "jobs" : this.#back);
  }

  /** Open a job's output. */
  openJob(job: JobInfo): void {
    this.#output.open(job.id, job);
    this.show("output");
    if (isTerminal(job.state)) this.notify(`job ${job.id} is ${job.state}: showing its output`);
  }

  /**
   * `s9s --job ID`: a job of one task opens in the output view; one of several tasks, or a
   * `--path` with `%t`/`%n`/`%N`, opens in the Stream Monitor with a pane per task or node.
   */
  async #openAtStart(o: { id: string; path?: string }): Promise<void> {
    try {
      const cluster = this.#opts.cluster;
      const jobs = cluster ? await cluster.getJob(o.id) : [];
      const job = jobs.find((j) => j.id === o.id) ?? jobs[0];
      if (!job) return this.notify(`job ${o.id} was not found`, true);
      const target: JobTarget = { kind: "job", jobId: o.id, path: o.path, via: "auto" };
      if (hasAllocationFields(o.path)) this.#monitor.openParts(target, {});
      else if ((job.numTasks ?? 1) > 1) this.#monitor.openParts(target, { splitTasks: true });
      else return this.openJob(job);
      this.show("monitor");
    } catch (err) {
      this.fail(err);
    }
  }

  /** The view shown. */
  get current(): ViewName {
    return this.#view;
  }

  get inMonitor(): boolean {
    return this.#view === "monitor";
  }

  showHelp(): void {
    const v = this.#viewOf(this.#view);
    this.openModal(
      new HelpOverlay(this.screen, `Help: ${v.title}`, [
        v.title,
        ...v.keys.help(),
        "",
        "Anywhere",
        ...this.#globalKeys.help(),
      ]),
    );
  }

  monitorOrAdd(): void {
    if (this.#view === "monitor") this.#monitor.promptAdd();
    else this.show("monitor");
  }

  /** Paint the whole screen again (Ctrl+L): clears what anything else wrote to the terminal. */
  redraw(): void {
    this.screen.program.clear();
    this.screen.realloc();
    this.#drawNow();
  }

  /** Quit s9s. */
  quit(): void {
    this.#done = true;
    this.shutdown();
  }

  #viewOf(name: ViewName): View {
    return name === "jobs" ? this.#jobs : name === "output" ? this.#output : this.#monitor;
  }

  #onKey(ch: string | undefined, key: KeyInfo): void {
    try {
      this.#route(ch, key);
    } catch (err) {
      this.fail(err);
    }
    if (!this.#done) this.#drawNow();
  }

  #route(ch: string | undefined, key: KeyInfo): void {
    // blessed reports "\r" twice: as "enter" and then as "return". Act on "enter" only.
    if (key.name === "return") return;
    if ((key.full ?? key.name) === "C-c") return this.quit();
    // Also from a prompt: whatever wrote over the screen is gone at once.
    if ((key.full ?? key.name) === "C-l") return this.redraw();
    if (this.#modal) {
      this.#modal.key(ch, key);
      return;
    }
    if (this.#globalKeys.dispatch(ch, key)) return;
    this.#message = "";
    this.#viewOf(this.#view).keys.dispatch(ch, key);
  }

  #drawNow(): void {
    if (this.#done) return;
    this.#dirty = false;
    if (this.#layout()) this.screen.render();
  }

  /** Place and fill every box for the screen's size, without painting; false when it failed. */
  #layout(): boolean {
    if (this.#done) return false;
    try {
      const view = this.#viewOf(this.#view);
      view.draw();
      this.#drawMessage();
      const prefix = view.statusPrefix?.();
      // Global hints (? help) first: a narrow screen cuts the end of the line.
      const hints = `${this.#globalKeys.hints()}  ${view.keys.hints()}`;
      const status = ` ${prefix ? prefix + " " : ""}${hints}`;
      this.#statusBox.setContent(fitLine(status, Math.max(1, this.screen.width), false)[0]);
      return true;
    } catch (err) {
      // A drawing bug must not take the terminal down with it.
      this.#message = `draw failed: ${(err as Error).message}`;
      this.#messageError = true;
      return false;
    }
  }

  /** The message line: wrapped to the screen's width, up to a few rows above the status line. */
  #drawMessage(): void {
    const width = Math.max(1, this.screen.width);
    let rows = this.#message ? fitLine(this.#message, width, true) : [""];
    if (rows.length > MESSAGE_ROWS) {
      rows = [
        ...rows.slice(0, MESSAGE_ROWS - 1),
        fitLine(rows.slice(MESSAGE_ROWS - 1).join(""), width, false)[0],
      ];
    }
    this.#msgBox.height = rows.length;
    const text = rows.join("\n");
    this.#msgBox.setContent(this.#messageError ? `\x1b[31;1m${text}\x1b[0m` : text);
    if (rows.length > 1) this.#msgBox.setFront();
  }
}
