/**
 * An OS error as a reason in a sentence: Deno's message without its ` (os error N)` suffix and
 * without the call it came from (`: stat 'path'`), which the sentence names itself.
 * @module
 */

/** `No space left on device`, from `No space left on device (os error 28)`. */
export function osReason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/ \(os error \d+\)(: .*)?$/s, "");
}
