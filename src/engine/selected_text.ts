/**
 * The text of a filter's selection — its lines joined, each ending in "\n" — built once per
 * batch and shared by whoever needs it (the text sink prints it, the history saves it).
 * @module
 */

const cache = new WeakMap<object, string>();

/** The selected lines as one string, each with its "\n" ("" when none). */
export function selectedText(sel: { lines: string[]; text?: string }): string {
  if (sel.text !== undefined) return sel.text; // the selection's own (excludes alone)
  let text = cache.get(sel);
  if (text === undefined) {
    text = sel.lines.length ? sel.lines.join("\n") + "\n" : "";
    cache.set(sel, text);
  }
  return text;
}

/** How many lines are selected (without cutting a selection that holds them as one text). */
export function selectedCount(sel: { lines: string[]; count?: number }): number {
  return sel.count ?? sel.lines.length;
}
