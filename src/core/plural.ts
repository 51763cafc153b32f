/**
 * Counting words for messages.
 * @module
 */

/** "1 line", "2 lines". */
export function plural(n: number, word: string): string {
  return `${n} ${n === 1 ? word : word + "s"}`;
}
