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

/** Write all of `bytes` to `w`, however many writes it takes. */
export async function writeAll(w: ByteWriter, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await w.write(bytes.subarray(off));
}

/** Write all of `bytes` to `w` synchronously, however many writes it takes. */
export function writeAllSync(w: ByteWriterSync, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) off += w.writeSync(bytes.subarray(off));
}
