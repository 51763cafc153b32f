/**
 * Keys as data, as k9s's KeyActions: each view has one table of actions (keys, description,
 * handler, when shown), and its status line, its `?` help and README's key table are all made
 * from that table. No neo-blessed here.
 * @module
 */

/** A key press as the terminal library reports it (blessed's key object fits). */
export interface KeyPress {
  name?: string;
  full?: string;
  ctrl?: boolean;
  meta?: boolean;
}

/** One action of a view, run on a target (the view's controls). */
export interface KeyAction<T> {
  /**
   * What triggers it: printable characters as typed ("+", "N", "/") or key names as blessed
   * spells them ("up", "pageup", "C-f", "escape", "enter", "tab").
   */
  keys: readonly string[];
  /** The keys as people read them ("↑/↓", "Ctrl+f"). */
  label: string;
  /** What it does, for the help and README. */
  description: string;
  /** A word or two for the status line; without one the action is listed in the help only. */
  hint?: string;
  /** Do it; `key` is the entry of {@link keys} that was pressed. */
  run: (target: T, key: string) => void;
  /** Whether the status line shows it now (default: always). */
  when?: (target: T) => boolean;
}

/** A view's key table. */
export type KeyTable<T> = readonly KeyAction<T>[];

/** A table's actions bound to their target: what a view hands to the app. */
export interface BoundKeys {
  /** Run the action for this key press; false when no action has the key. */
  dispatch(ch: string | undefined, key: KeyPress): boolean;
  /** Status line hints of the actions shown now ("+ add  - remove  ? help"). */
  hints(): string;
  /** Lines for the `?` help, one per action. */
  help(): string[];
}

function printable(ch: string | undefined): ch is string {
  return ch !== undefined && ch.length > 0 && ch >= " " && ch !== "\x7f";
}

/** The action of `table` that a key press triggers, and which of its keys matched. */
export function findAction<T>(
  table: KeyTable<T>,
  ch: string | undefined,
  key: KeyPress,
): { action: KeyAction<T>; key: string } | undefined {
  const full = key.full ?? key.name;
  const typed = printable(ch) && !key.ctrl && !key.meta ? ch : undefined;
  for (const action of table) {
    if (typed !== undefined && action.keys.includes(typed)) return { action, key: typed };
    if (full !== undefined && action.keys.includes(full)) return { action, key: full };
  }
  return undefined;
}

/** Status line text for the actions with a hint that are shown now. */
export function statusHints<T>(table: KeyTable<T>, target: T): string {
  return table
    .filter((a) => a.hint && (a.when?.(target) ?? true))
    .map((a) => `${a.label} ${a.hint}`)
    .join("  ");
}

/** Help lines: each action's keys and description, aligned. */
export function helpLines<T>(table: KeyTable<T>): string[] {
  const width = Math.max(0, ...table.map((a) => a.label.length));
  return table.map((a) => `  ${a.label.padEnd(width)}  ${a.description}`);
}

/** Bind a table to its target. */
export function bindKeys<T>(table: KeyTable<T>, target: T): BoundKeys {
  return {
    dispatch(ch, key) {
      const found = findAction(table, ch, key);
      if (!found) return false;
      found.action.run(target, found.key);
      return true;
    },
    hints: () => statusHints(table, target),
    help: () => helpLines(table),
  };
}

/** A titled table, for documentation. */
export interface KeySection {
  where: string;
  table: KeyTable<never>;
}

/**
 * README's key table: one row per action of every section, as `deno fmt` lays a markdown table
 * out (columns padded to their widest cell).
 */
export function keysMarkdown(sections: readonly KeySection[]): string {
  const rows: string[][] = [];
  for (const s of sections) {
    for (const a of s.table) {
      const keys = a.label.split(", ").map((k) => `\`${k}\``).join(", ");
      rows.push([s.where, keys, a.description]);
    }
  }
  const head = ["Where", "Key", "What it does"];
  const width = (text: string) => [...text].length;
  const widths = head.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i]))));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => c + " ".repeat(widths[i] - width(c))).join(" | ")} |`;
  return [
    line(head),
    `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`,
    ...rows.map(line),
  ].join("\n");
}
