/**
 * A buffered writer to stdout that flushes per batch and treats a closed pipe (`| head`) as a
 * normal end.
 * @module
 */

const enc = new TextEncoder();

/** Thrown when the reader of our output went away. */
export class BrokenPipe extends Error {
  constructor() {
    super("output closed");
    this.name = "BrokenPipe";
  }
}

/** Write all of `text` to a writer. */
export async function writeAll(w: { write(p: Uint8Array): Promise<number> }, text: string): Promise<void> {
  let bytes = enc.encode(text);
  try {
    while (bytes.length > 0) {
      const n = await w.write(bytes);
      bytes = bytes.subarray(n);
    }
  } catch (err) {
    if (err instanceof Deno.errors.BrokenPipe) throw new BrokenPipe();
    throw err;
  }
}

/** Something that takes text. */
export interface TextOut {
  write(text: string): Promise<void>;
}

/** A {@link TextOut} whose writes never interleave (each waits for the one before). */
export function serialOut(w: { write(p: Uint8Array): Promise<number> }): TextOut {
  let last: Promise<void> = Promise.resolve();
  return {
    write(text: string) {
      const next = last.then(() => writeAll(w, text));
      last = next.catch(() => {});
      return next;
    },
  };
}

/** stdout as a {@link TextOut}. */
export const stdoutOut: TextOut = serialOut(Deno.stdout);
/** stderr as a {@link TextOut}. */
export const stderrOut: TextOut = serialOut(Deno.stderr);
