/**
 * Keys shared by every stream pane (output view and monitor): scrolling, search, toggles.
 * One table, spread into the output view's and the monitor's.
 * @module
 */
import type { KeyTable } from "../model/key_table.ts";
import type { PaneControls } from "./pane_controls.ts";

/** Something with pane controls (the output view, the monitor). */
export interface HasPane {
  readonly pane: PaneControls;
}

/** The pane keys, shared by the output view's and the monitor's tables. */
export const PANE_KEYS: KeyTable<HasPane> = [
  {
    keys: ["up", "down"],
    label: "↑/↓",
    description: "scroll one line (scrolling up stops following)",
    hint: "scroll",
    run: (t, key) => t.pane.scroll(key === "up" ? -1 : 1),
  },
  {
    keys: ["pageup", "pagedown"],
    label: "PgUp/PgDn",
    description: "scroll one page",
    run: (t, key) => t.pane.scroll(key === "pageup" ? "page-up" : "page-down"),
  },
  {
    keys: ["home"],
    label: "Home",
    description: "go to the oldest line",
    run: (t) => t.pane.home(),
  },
  {
    keys: ["end"],
    label: "End",
    description: "go to the newest line (and follow new ones while streaming)",
    run: (t) => t.pane.end(),
  },
  {
    keys: ["/"],
    label: "/",
    description: "search (regex) through the whole scroll-back",
    hint: "search",
    run: (t) => t.pane.searchPrompt(),
  },
  { keys: ["n"], label: "n", description: "next older match", run: (t) => t.pane.next(true) },
  { keys: ["N"], label: "N", description: "next newer match", run: (t) => t.pane.next(false) },
  {
    keys: ["t"],
    label: "t",
    description: "timestamps on/off",
    run: (t) => t.pane.toggleTimestamps(),
  },
  { keys: ["w"], label: "w", description: "line wrap on/off", run: (t) => t.pane.toggleWrap() },
];
