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
export async function writeAll(
  w: { write(p: Uint8Array): Promise<number> },
  text: string,
): Promise<void> {
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

/**
 * A {@link TextOut} whose writes never interleave. Texts written while a write is in flight are
 * joined and go out in one write after it (under load, many streams' small batches become one
 * syscall); each promise resolves once its text is written.
 */
export function serialOut(w: { write(p: Uint8Array): Promise<number> }): TextOut {
  let queued = "";
  let waiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  let busy = false;
  const pump = async () => {
    busy = true;
    while (waiters.length > 0) {
      const text = queued;
      const batch = waiters;
      queued = "";
      waiters = [];
      try {
        await writeAll(w, text);
        for (const x of batch) x.resolve();
      } catch (err) {
        for (const x of batch) x.reject(err);
      }
    }
    busy = false;
  };
  return {
    write(text: string) {
      return new Promise<void>((resolve, reject) => {
        queued += text;
        waiters.push({ resolve, reject });
        if (!busy) void pump();
      });
    },
  };
}

/** stdout as a {@link TextOut}. */
export const stdoutOut: TextOut = serialOut(Deno.stdout);
/** stderr as a {@link TextOut}. */
export const stderrOut: TextOut = serialOut(Deno.stderr);
