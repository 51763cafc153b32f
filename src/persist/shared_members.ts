/**
 * The memory history members are made in: shared with the compression workers (see GzipPool's
 * post), and reused once a member is done with. A worker frees its side of a buffer only when
 * its own garbage collector runs, which in its small heap is rarely: without reuse, a 109 MB
 * catch-up held ~90 MB more at its peak than with buffers handed over (measured, max RSS).
 * @module
 */

/** Buffers done with, kept for the next members (newest last). */
const free: SharedArrayBuffer[] = [];
let freeBytes = 0;
/** At most this much kept for reuse (the writers' backlog, HIGH in history_writer.ts, is 8 MB). */
const MAX_FREE_BYTES = 8 * 1024 * 1024;

/** The smallest buffer made: a member starts at 16 KB (history_writer.ts). */
const MIN_BYTES = 16 * 1024;

/**
 * Shared memory for at least `size` bytes: a power of two (from 16 KB), so that a buffer done
 * with fits the next member of its size class (a quiet follow's members vary in size: matched
 * by size, most buffers were made anew and the free ones never used). Its content is undefined.
 */
export function sharedBytes(size: number): Uint8Array {
  let bytes = MIN_BYTES;
  while (bytes < size) bytes *= 2;
  for (let i = free.length - 1; i >= 0; i--) {
    const b = free[i];
    if (b.byteLength !== bytes) continue;
    free.splice(i, 1);
    freeBytes -= bytes;
    return new Uint8Array(b);
  }
  return new Uint8Array(new SharedArrayBuffer(bytes));
}

/**
 * The whole buffer under `view` is done with: nothing reads or writes it any more (a worker has
 * answered for it). Kept for reuse, the longest kept given up when over the limit (sizes in use
 * change: a writer's buffer grows while its member fills). Buffers not from {@link sharedBytes}
 * are left alone.
 */
export function releaseShared(view: Uint8Array): void {
  const b = view.buffer;
  if (!(b instanceof SharedArrayBuffer) || b.byteLength > MAX_FREE_BYTES) return;
  if (free.includes(b)) return; // released twice: kept once
  free.push(b);
  freeBytes += b.byteLength;
  while (freeBytes > MAX_FREE_BYTES) freeBytes -= free.shift()!.byteLength;
}
