/**
 * Keys shared by every stream pane (output view and monitor): scrolling, search, toggles.
 * @module
 */
import { compileUserPattern } from "../../engine/filter.ts";
import type { StreamHandle } from "../../engine/stream_manager.ts";
import type { PaneModel } from "../model/pane_model.ts";
import type { KeyInfo } from "../widgets/blessed.ts";
import { Prompt } from "../widgets/modal.ts";
import type { App } from "./app.ts";

/** Handle a scrolling/search/toggle key for a pane; false if it is not one. */
export function paneKey(
  app: App,
  m: PaneModel,
  h: StreamHandle | undefined,
  ch: string | undefined,
  key: KeyInfo,
  rows: number,
): boolean {
  const src = h?.buffer?.all;
  switch (key.full ?? key.name) {
    case "up":
      if (src) m.scrollUp(src, 1, rows);
      return true;
    case "down":
      if (src) m.scrollDown(src, 1);
      return true;
    case "pageup":
      if (src) m.scrollUp(src, Math.max(1, rows - 1), rows);
      return true;
    case "pagedown":
      if (src) m.scrollDown(src, Math.max(1, rows - 1));
      return true;
    case "home":
      if (src) m.home(src, rows);
      return true;
    case "end":
      m.end();
      return true;
  }
  if (ch === "t") {
    m.timestamps = !m.timestamps;
    app.notify(`timestamps ${m.timestamps ? "on" : "off"}`);
    return true;
  }
  if (ch === "w") {
    m.wrap = !m.wrap;
    app.notify(`line wrap ${m.wrap ? "on" : "off"}`);
    return true;
  }
  if (ch === "n" || ch === "N") {
    if (!m.search) {
      app.notify("no search: press / first", true);
    } else if (src && !m.findNext(src, rows, ch === "n")) {
      app.notify(`no ${ch === "n" ? "older" : "newer"} match for /${m.searchText}/`, true);
    }
    return true;
  }
  return false;
}

/** Prompt for a search regex for the pane `get()` returns. */
export function searchPrompt(app: App, get: () => PaneModel | undefined, rows: () => number): void {
  const m = get();
  if (!m) return;
  app.openModal(
    new Prompt(app.screen, {
      label: "Search (regex; n older, N newer)",
      initial: m.searchText,
      onSubmit: (v) => {
        try {
          m.search = v ? compileUserPattern(v, "search") : undefined;
          m.searchText = v;
          const h = app.handle(m.jobId, m.type);
          if (m.search && h?.buffer && !m.findNext(h.buffer.all, rows(), true)) {
            app.notify(`no match for /${v}/`, true);
          }
        } catch (err) {
          app.fail(err);
        }
      },
    }),
  );
}
