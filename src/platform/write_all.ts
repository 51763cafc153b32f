/**
 * Write every byte: a write may take fewer bytes than it is given (pipes, sockets, full disks),
 * and what it did not take must be written again, in order. The one copy of that loop.
 * @module
 */

/** Anything with Deno's asynchronous `write` (files, stdout, connections). */
export interface ByteWriter {
  write(p: Uint8Array): Promise<number>;
}

/** Anything with Deno's synchronous `writeSync`. */
export interface ByteWriterSync {
  writeSync(p: Uint8Array): number;
}

/** How many bytes of a {@link writeAll} went out so far (also after a failed write). */
export interface WriteProgress {
  written: number;
}

/**
 * Write all of `bytes` to `w`, however many writes it takes. `progress`, when given, counts the
 * bytes written, so that a caller can tell how much reached the file before a write failed.
 */
export async function writeAll(
  w: ByteWriter,
  bytes: Uint8Array,
  progress?: WriteProgress,
): Promise<void> {
  let off = 0;
  while (off < bytes.length) {
    off += await w.write(bytes.subarray(off));
    if (progress) progress.written = off;
  }
}

/** Write all of `bytes` to `w` synchronously, however many writes it takes. */
export function writeAllSync(w: ByteWriterSync, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) off += w.writeSync(bytes.subarray(off));
}
