/**
 * The output view's key table (its own keys, then the shared pane keys): status line, help and
 * README come from it.
 * @module
 */
import type { KeyTable } from "../model/key_table.ts";
import { type HasPane, PANE_KEYS } from "./pane_keys.ts";

/** What the output view's keys act on. */
export interface OutputControls extends HasPane {
  toggleStreaming(): void;
  switchType(): void;
  back(): void;
}

/** The output view's keys. */
export const OUTPUT_KEYS: KeyTable<OutputControls> = [
  {
    keys: ["s"],
    label: "s",
    description: "start streaming (it opens streaming; after that, s stops and starts it)",
    hint: "stream on/off",
    run: (t) => t.toggleStreaming(),
  },
  {
    keys: ["tab", "e"],
    label: "Tab, e",
    description: "switch between stdout and stderr",
    hint: "stdout⇄stderr",
    run: (t) => t.switchType(),
  },
  ...PANE_KEYS,
  {
    keys: ["G"],
    label: "G",
    description: "same as End",
    run: (t) => t.pane.end(),
  },
  {
    keys: ["escape", "q"],
    label: "Esc, q",
    description: "back to the jobs list",
    hint: "back",
    run: (t) => t.back(),
  },
];
