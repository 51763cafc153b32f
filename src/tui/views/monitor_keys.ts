/**
 * The Stream Monitor's key table: the guide's keys (+ - ←/→ ↑/↓ f c p s r q), the shared pane
 * keys, and the merged view (m). Status line, help and README come from it.
 * @module
 */
import type { KeyTable } from "../model/key_table.ts";
import { type HasPane, PANE_KEYS } from "./pane_keys.ts";

/** What the monitor's keys act on. */
export interface MonitorControls extends HasPane {
  /** Whether a pane exists (pane keys are hinted only then). */
  readonly hasPane: boolean;
  /** Whether more than one pane exists. */
  readonly manyPanes: boolean;
  promptAdd(): void;
  removeFocused(): void;
  moveFocus(delta: number): void;
  filterPrompt(): void;
  clearFocused(): void;
  togglePause(): void;
  savePrompt(): void;
  restartFocused(): void;
  toggleMerged(): void;
  close(): void;
}

const withPane = (t: MonitorControls) => t.hasPane;

/** The monitor's keys. */
export const MONITOR_KEYS: KeyTable<MonitorControls> = [
  {
    keys: ["+"],
    label: "+",
    description: "add a stream: pick a job or type its id, then stdout, stderr or both",
    hint: "add",
    run: (t) => t.promptAdd(),
  },
  {
    keys: ["-"],
    label: "-",
    description: "remove the focused stream",
    hint: "remove",
    when: withPane,
    run: (t) => t.removeFocused(),
  },
  {
    keys: ["left", "right"],
    label: "←/→",
    description: "focus the previous / next stream",
    hint: "focus",
    when: (t) => t.manyPanes,
    run: (t, key) => t.moveFocus(key === "left" ? -1 : 1),
  },
  ...PANE_KEYS.map((a) => ({ ...a, when: withPane })),
  {
    keys: ["f", "C-f"],
    label: "f, Ctrl+f",
    description: "filter the focused stream (regex, applied as you type; empty removes)",
    hint: "filter",
    when: withPane,
    run: (t) => t.filterPrompt(),
  },
  {
    keys: ["c"],
    label: "c",
    description: "clear the focused stream's buffer",
    hint: "clear",
    when: withPane,
    run: (t) => t.clearFocused(),
  },
  {
    keys: ["p"],
    label: "p",
    description: "pause / resume the focused stream (lines keep buffering; the count is shown)",
    hint: "pause",
    when: withPane,
    run: (t) => t.togglePause(),
  },
  {
    keys: ["s"],
    label: "s",
    description: "save the focused stream to a file (default in the history directory)",
    hint: "save",
    when: withPane,
    run: (t) => t.savePrompt(),
  },
  {
    keys: ["r"],
    label: "r",
    description: "restart the focused stream (read again from the start)",
    hint: "restart",
    when: withPane,
    run: (t) => t.restartFocused(),
  },
  {
    keys: ["m"],
    label: "m",
    description: "merged view of all streams, ordered by time (m again: grid)",
    hint: "merge",
    when: (t) => t.manyPanes,
    run: (t) => t.toggleMerged(),
  },
  {
    keys: ["q", "escape"],
    label: "q, Esc",
    description: "close the monitor (streams keep running)",
    hint: "close",
    run: (t) => t.close(),
  },
];
