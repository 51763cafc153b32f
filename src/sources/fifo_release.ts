/**
 * Free threads stuck opening a FIFO. Opening a FIFO for reading blocks until a writer opens it,
 * and a blocked open cannot be cancelled: s9s's own open of a FIFO swapped in for a followed path,
 * and the runtime's file watcher (which opens paths it has events for, again after each event),
 * each hold a thread there. Closing the watcher waits for its thread, so SIGINT and SIGTERM hung
 * until a writer came.
 *
 * When such a stream stops, s9s opens the FIFO itself for reading and writing — on Linux that
 * open never blocks — and keeps it open until the process ends: with a writer present, every
 * blocked open returns, and no later one blocks.
 * @module
 */

/** The FIFOs held open (kept referenced until the process exits). */
const held: Deno.FsFile[] = [];

/** Let blocked opens of the FIFO at `path` return, now and later; nothing for other files. */
export function releaseFifoOpeners(path: string): void {
  try {
    if (!Deno.statSync(path).isFifo) return;
    held.push(Deno.openSync(path, { read: true, write: true }));
  } catch { /* gone, or not ours to open: a writer will free it */ }
}
