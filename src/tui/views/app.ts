/**
 * The terminal UI's controller: owns the screen, routes keys (modal → global → view), batches
 * drawing on the refresh timer, shares streams between views, and always gives the terminal
 * back on exit.
 * @module
 */
import type { ClusterBackend } from "../../cluster/job.ts";
import type { Config } from "../../config/schema.ts";
import type { StartOptions, StreamHandle, StreamManager } from "../../engine/stream_manager.ts";
import type { StreamType } from "../../core/stream_event.ts";
import { type DebugLog, NO_DEBUG } from "../../core/debug_log.ts";
import {
  type Box,
  createBox,
  createScreen,
  type KeyInfo,
  type Screen,
} from "../widgets/blessed.ts";
import { HelpOverlay, type Modal } from "../widgets/modal.ts";
import { JobsView } from "./jobs_view.ts";
import { MonitorView } from "./monitor_view.ts";
import { OutputView } from "./output_view.ts";

/** A screen of the UI. */
export interface View {
  readonly title: string;
  show(): void;
  hide(): void;
  /** Redraw from the models (called by the refresh timer, or after a key). */
  draw(): void;
  /** Handle a key; return false to let it fall through. */
  key(ch: string | undefined, key: KeyInfo): boolean;
  /** Key hints for the status bar. */
  status(): string;
  /** Lines for the `?` overlay. */
  help(): string[];
}

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
  debug?: DebugLog;
}

type ViewName = "jobs" | "output" | "monitor";

/** The running UI. */
export class App {
  readonly screen: Screen;
  readonly config: Config;
  readonly manager: StreamManager;
  readonly cluster?: ClusterBackend;
  readonly saveDir: string;
  readonly jobs: JobsView;
  readonly output: OutputView;
  readonly monitor: MonitorView;
  /** Latest `\r` progress state per stream key. */
  readonly progress = new Map<string, { text: string; lineNum: number }>();
  #view: ViewName = "jobs";
  #back: ViewName = "jobs";
  #modal?: Modal;
  #msgBox: Box;
  #statusBox: Box;
  #message = "";
  #dirty = true;
  #owners = new Map<string, Set<string>>();
  #timers: ReturnType<typeof setInterval>[] = [];
  #finish!: () => void;
  #finished: Promise<void>;
  #unsubscribe?: () => void;
  #debug: DebugLog;

  constructor(options: AppOptions) {
    this.config = options.config;
    this.manager = options.manager;
    this.cluster = options.cluster;
    this.saveDir = options.saveDir;
    this.#debug = options.debug ?? NO_DEBUG;
    this.#finished = new Promise((r) => (this.#finish = r));
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
    this.jobs = new JobsView(this);
    this.output = new OutputView(this);
    this.monitor = new MonitorView(this);
    this.output.hide();
    this.monitor.hide();
    if (options.startupMessage) this.notify(options.startupMessage, true);
    if (options.streamPath) {
      this.monitor.addStream("file", "stdout", { path: options.streamPath, fileOnly: true });
      this.show("monitor");
    }
  }

  /** Run until the user quits. */
  async run(): Promise<void> {
    this.screen.on("keypress", (ch, key) => this.#onKey(ch, key));
    this.screen.on("resize", () => {
      this.#dirty = true;
      this.#drawNow();
    });
    this.#unsubscribe = this.manager.subscribe({
      onLines: () => void (this.#dirty = true),
      onProgress: (s, text, lineNum) => {
        this.progress.set(s.key, { text, lineNum });
        this.#dirty = true;
      },
      onStatus: () => void (this.#dirty = true),
      onStart: () => void (this.#dirty = true),
      onEnd: () => void (this.#dirty = true),
    });
    const refresh = Math.max(16, this.config.streaming.refresh_interval);
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
    this.#timers.push(
      setInterval(() => void this.jobs.refresh(), Math.max(500, this.config.cluster.poll_interval)),
    );
    // Elapsed times tick even when nothing else changes.
    this.#timers.push(setInterval(() => void (this.#dirty = true), 1000));
    void this.jobs.refresh();
    this.#drawNow();
    await this.#finished;
  }

  /** Leave the UI: stop timers, restore the terminal. Safe to call more than once. */
  shutdown(): void {
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    this.#unsubscribe?.();
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

  /** Show a message in the status line (errors in red). */
  notify(text: string, error = false): void {
    // deno-lint-ignore no-control-regex
    const clean = text.replace(/[\x00-\x1f\x7f]/g, " ");
    this.#message = error ? `\x1b[31;1m${clean}\x1b[0m` : clean;
    this.#dirty = true;
  }

  /** Report a failure of an action in the status line. */
  fail(err: unknown): void {
    const e = err as Error & { hint?: string };
    this.notify(`error: ${e?.message ?? String(err)}${e?.hint ? ` (hint: ${e.hint})` : ""}`, true);
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

  /** Switch view. */
  show(name: ViewName): void {
    if (name === this.#view) return;
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

  /** The view shown. */
  get current(): ViewName {
    return this.#view;
  }

  #viewOf(name: ViewName): View {
    return name === "jobs" ? this.jobs : name === "output" ? this.output : this.monitor;
  }

  /** The stream handle with this key (or, for an array id, its first task's). */
  handle(jobId: string, type: StreamType): StreamHandle | undefined {
    const streams = this.manager.streams;
    return streams.find((s) => s.jobId === jobId && s.type === type) ??
      streams.find((s) => s.jobId.startsWith(`${jobId}_`) && s.type === type);
  }

  /** Start (or share) a stream for a view. */
  async want(
    jobId: string,
    type: StreamType,
    owner: string,
    options: StartOptions = {},
  ): Promise<void> {
    const key = `${jobId}:${type}`;
    const owners = this.#owners.get(key) ?? new Set();
    const had = owners.size > 0 && this.handle(jobId, type) !== undefined;
    owners.add(owner);
    this.#owners.set(key, owners);
    if (had) return;
    try {
      await this.manager.startStream(jobId, type, options);
    } catch (err) {
      owners.delete(owner);
      throw err;
    }
    this.#dirty = true;
  }

  /** A view no longer needs a stream; stop it when nobody does. */
  release(jobId: string, type: StreamType, owner: string): void {
    const key = `${jobId}:${type}`;
    const owners = this.#owners.get(key);
    owners?.delete(owner);
    if (!owners || owners.size === 0) {
      this.#owners.delete(key);
      this.manager.stopStream(jobId, type);
      this.progress.delete(key);
    }
    this.#dirty = true;
  }

  /** Stop and start a stream again (reads its file from the start). */
  async restart(jobId: string, type: StreamType, options: StartOptions = {}): Promise<void> {
    this.manager.stopStream(jobId, type);
    this.progress.delete(`${jobId}:${type}`);
    await this.manager.startStream(jobId, type, options);
    this.#dirty = true;
  }

  #onKey(ch: string | undefined, key: KeyInfo): void {
    try {
      this.#route(ch, key);
    } catch (err) {
      this.fail(err);
    }
    if (!this.#finishedFlag) this.#drawNow();
  }

  #finishedFlag = false;

  /** Quit s9s. */
  quit(): void {
    this.#finishedFlag = true;
    this.shutdown();
  }

  #route(ch: string | undefined, key: KeyInfo): void {
    // blessed reports "\r" twice: as "enter" and then as "return". Act on "enter" only.
    if (key.name === "return") return;
    const full = key.full ?? key.name ?? ch ?? "";
    if (full === "C-c") return this.quit();
    if (this.#modal) {
      this.#modal.key(ch, key);
      return;
    }
    if (full === "C-s") {
      if (this.#view === "monitor") this.monitor.promptAdd();
      else this.show("monitor");
      return;
    }
    if (ch === "?") {
      const v = this.#viewOf(this.#view);
      this.openModal(
        new HelpOverlay(this.screen, `Help: ${v.title}`, [
          ...v.help(),
          "",
          "Anywhere:  Ctrl+s stream monitor   ? help   Ctrl+c quit s9s",
        ]),
      );
      return;
    }
    this.#message = "";
    this.#viewOf(this.#view).key(ch, key);
  }

  #drawNow(): void {
    if (this.#finishedFlag) return;
    this.#dirty = false;
    try {
      this.#viewOf(this.#view).draw();
      this.#msgBox.setContent(this.#message);
      this.#statusBox.setContent(this.#viewOf(this.#view).status());
      this.screen.render();
    } catch (err) {
      // A drawing bug must not take the terminal down with it.
      this.#message = `\x1b[31mdraw failed: ${(err as Error).message}\x1b[0m`;
    }
  }
}
