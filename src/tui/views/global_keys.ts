/**
 * Keys that work in every view (after a modal has had its turn): help, the Stream Monitor, quit.
 * Also the list of every view's table, in the order README shows them.
 * @module
 */
import type { KeySection, KeyTable } from "../model/key_table.ts";
import { JOBS_KEYS } from "./jobs_keys.ts";
import { MONITOR_KEYS } from "./monitor_keys.ts";
import { OUTPUT_KEYS } from "./output_keys.ts";

/** What the global keys act on (the app). */
export interface GlobalControls {
  /** Whether the Stream Monitor is shown. */
  readonly inMonitor: boolean;
  showHelp(): void;
  /** Open the monitor, or in it add a stream. */
  monitorOrAdd(): void;
  quit(): void;
  /** Paint the whole screen again. */
  redraw(): void;
}

/** Keys that work everywhere. */
export const GLOBAL_KEYS: KeyTable<GlobalControls> = [
  {
    keys: ["?"],
    label: "?",
    description: "help for the current screen",
    hint: "help",
    run: (t) => t.showHelp(),
  },
  {
    keys: ["C-s"],
    label: "Ctrl+s",
    description: "open the Stream Monitor (in it: add a stream)",
    hint: "monitor",
    when: (t) => !t.inMonitor,
    run: (t) => t.monitorOrAdd(),
  },
  {
    keys: ["C-l"],
    label: "Ctrl+l",
    description: "redraw the screen (also from a prompt)",
    run: (t) => t.redraw(),
  },
  {
    keys: ["C-c"],
    label: "Ctrl+c",
    description: "quit s9s (also from a prompt)",
    run: (t) => t.quit(),
  },
];

/** Every key table, titled as README's key table shows it. */
export const KEY_SECTIONS: readonly KeySection[] = [
  { where: "everywhere", table: GLOBAL_KEYS },
  { where: "jobs view", table: JOBS_KEYS },
  { where: "output view", table: OUTPUT_KEYS },
  { where: "Stream Monitor", table: MONITOR_KEYS },
];
