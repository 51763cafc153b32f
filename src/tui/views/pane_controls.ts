/**
 * Scrolling, search and toggles on the pane a view currently shows: what the shared pane keys
 * (pane_keys.ts) run.
 * @module
 */
import { compileTuiPattern } from "../model/tui_pattern.ts";
import type { PaneModel } from "../model/pane_model.ts";
import type { StreamsModel } from "../model/streams_model.ts";
import { Prompt } from "../widgets/modal.ts";
import type { ViewHost } from "./view_host.ts";

/** The pane a view shows now, and its height in rows. */
export interface CurrentPane {
  model: PaneModel;
  rows: number;
}

/** Options for {@link PaneControls}. */
export interface PaneControlsOptions {
  /** Handle End first; true when it did (the output view pins without following). */
  end?: (model: PaneModel) => boolean;
  /** Called when a key needs a pane and there is none. */
  missing?: () => void;
}

/** Scrolling, search and toggles on whichever pane a view shows. */
export class PaneControls {
  #host: ViewHost;
  #streams: StreamsModel;
  #current: () => CurrentPane | undefined;
  #opts: PaneControlsOptions;

  constructor(
    host: ViewHost,
    streams: StreamsModel,
    current: () => CurrentPane | undefined,
    options: PaneControlsOptions = {},
  ) {
    this.#host = host;
    this.#streams = streams;
    this.#current = current;
    this.#opts = options;
  }

  /** The current pane; without one, says so (when the view asked to). */
  #pane(): CurrentPane | undefined {
    const c = this.#current();
    if (!c) this.#opts.missing?.();
    return c;
  }

  #buffer(m: PaneModel) {
    return this.#streams.handleFor(m)?.buffer;
  }

  /** Scroll by `n` lines (negative: older), or a page (`"page-up"`, `"page-down"`). */
  scroll(by: number | "page-up" | "page-down"): void {
    const c = this.#pane();
    const src = c && this.#buffer(c.model)?.all;
    if (!c || !src) return;
    const page = Math.max(1, c.rows - 1);
    const n = by === "page-up" ? -page : by === "page-down" ? page : by;
    if (n < 0) c.model.scrollUp(src, -n, c.rows);
    else c.model.scrollDown(src, n);
  }

  /** Jump to the oldest line. */
  home(): void {
    const c = this.#pane();
    const src = c && this.#buffer(c.model)?.all;
    if (c && src) c.model.home(src, c.rows);
  }

  /** Jump to the newest line (and follow). */
  end(): void {
    const m = this.#pane()?.model;
    if (m && !this.#opts.end?.(m)) m.end();
  }

  /** Timestamps on/off. */
  toggleTimestamps(): void {
    const m = this.#pane()?.model;
    if (!m) return;
    m.timestamps = !m.timestamps;
    this.#host.notify(`timestamps ${m.timestamps ? "on" : "off"}`);
  }

  /** Line wrap on/off. */
  toggleWrap(): void {
    const m = this.#pane()?.model;
    if (!m) return;
    m.wrap = !m.wrap;
    this.#host.notify(`line wrap ${m.wrap ? "on" : "off"}`);
  }

  /** `/`: prompt for a search regex and go to the nearest older match. */
  searchPrompt(): void {
    const m = this.#pane()?.model;
    if (!m) return;
    this.#host.openModal(
      new Prompt(this.#host.screen, {
        label: "Search (regex; n older, N newer)",
        initial: m.searchText,
        selected: true,
        onSubmit: (v) => {
          try {
            m.search = v ? compileTuiPattern(v, "search") : undefined;
            m.searchText = v;
          } catch (err) {
            return this.#host.fail(err);
          }
          if (m.search) this.#find(m, true, `no match for /${v}/`);
        },
      }),
    );
  }

  /** `n` / `N`: the next older or newer match. */
  next(older: boolean): void {
    const m = this.#pane()?.model;
    if (!m) return;
    if (!m.search) return this.#host.notify("no search: press / first", true);
    this.#find(m, older, `no ${older ? "older" : "newer"} match for /${m.searchText}/`);
  }

  #find(m: PaneModel, older: boolean, none: string): void {
    const buffer = this.#buffer(m);
    const rows = this.#current()?.rows ?? 10;
    if (!buffer) return this.#host.notify(none, true);
    m.findNext(buffer.all, buffer, rows, older).then(
      (found) => {
        if (!found) this.#host.notify(none, true);
        this.#host.markDirty();
      },
      (err) => this.#host.fail(err),
    );
  }
}
