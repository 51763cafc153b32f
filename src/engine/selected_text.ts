/**
 * The text of a filter's selection — its lines joined, each ending in "\n" — built once per
 * batch and shared by whoever needs it (the text sink prints it, the history saves it).
 * @module
 */

const cache = new WeakMap<object, string>();

/** The selected lines as one string, each with its "\n" ("" when none). */
export function selectedText(sel: { lines: string[] }): string {
  let text = cache.get(sel);
  if (text === undefined) {
    text = sel.lines.length ? sel.lines.join("\n") + "\n" : "";
    cache.set(sel, text);
  }
  return text;
}
