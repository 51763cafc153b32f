/**
 * The jobs view's key table: status line, help and README come from it.
 * @module
 */
import type { KeyTable } from "../model/key_table.ts";

/** What the jobs view's keys act on. */
export interface JobsControls {
  /** Whether a search narrows the list (Esc clears it). */
  readonly searching: boolean;
  move(delta: number | "page-up" | "page-down"): void;
  jump(where: "home" | "end"): void;
  openSelected(): void;
  searchPrompt(): void;
  clearSearch(): void;
  quit(): void;
}

/** The jobs view's keys. */
export const JOBS_KEYS: KeyTable<JobsControls> = [
  {
    keys: ["up", "k", "down", "j"],
    label: "↑/↓, k/j",
    description: "move the selection",
    hint: "move",
    run: (t, key) => t.move(key === "up" || key === "k" ? -1 : 1),
  },
  {
    keys: ["pageup", "pagedown"],
    label: "PgUp/PgDn",
    description: "move a page",
    run: (t, key) => t.move(key === "pageup" ? "page-up" : "page-down"),
  },
  {
    keys: ["home", "g", "end", "G"],
    label: "Home/End, g/G",
    description: "first / last job",
    run: (t, key) => t.jump(key === "home" || key === "g" ? "home" : "end"),
  },
  {
    keys: ["enter", "o"],
    label: "Enter, o",
    description: "open the selected job's output",
    hint: "output",
    run: (t) => t.openSelected(),
  },
  {
    keys: ["/"],
    label: "/",
    description: "search jobs by id, name, user, state, nodes or partition",
    hint: "search",
    run: (t) => t.searchPrompt(),
  },
  {
    keys: ["escape"],
    label: "Esc",
    description: "clear the search",
    hint: "clear search",
    when: (t) => t.searching,
    run: (t) => t.clearSearch(),
  },
  { keys: ["q"], label: "q", description: "quit s9s", hint: "quit", run: (t) => t.quit() },
];
