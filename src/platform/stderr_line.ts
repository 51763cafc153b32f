/**
 * The last words of a command on stderr, best effort: `console.error` throws when stderr cannot
 * be written (a full disk), and an error about the error would replace the exit code with a crash.
 * @module
 */
import { writeAllSync } from "./write_all.ts";

/** Write `text` and a newline to stderr; a failure is ignored (nowhere left to report it). */
export function stderrLine(text: string): void {
  try {
    writeAllSync(Deno.stderr, new TextEncoder().encode(text + "\n"));
  } catch { /* stderr full or closed */ }
}
