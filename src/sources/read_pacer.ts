/**
 * Coalesces the reads of a busy file. A read starts at most every `gapMs`: a write after a quiet
 * spell is read at once (follow latency unchanged), a file written every millisecond is read a
 * few hundred times a second, each read taking what several writes appended. And while a file
 * stays busy its inotify watch is dropped and it is polled every `gapMs` instead, on one timer
 * shared by all busy files: at 50 files × 1,000 writes/s the per-event wake-ups (tens of
 * thousands a second) cost more than the reads, and reading them all in one turn of the event
 * loop makes their output one write.
 * Once the file is quiet again the watch comes back, followed by one read so nothing written in
 * between waits for the safety poll.
 * @module
 */

/** Default minimum time between two reads of one file, in ms. */
export const READ_GAP_MS = 3;
/** Reads in a row that brought data, each within {@link BUSY_WITHIN_MS} of the one before. */
const BUSY_STREAK = 8;
const BUSY_WITHIN_MS = READ_GAP_MS + 2;
/** A busy file with no new data for this long is quiet again. */
const QUIET_MS = 100;

let tickWaiters: (() => void)[] = [];
/**
 * One timer for every busy file: they are read in the same turn of the event loop, so their
 * lines go out in one write (the output coalesces what arrives while a write is in flight).
 */
function sharedTick(ms: number): Promise<void> {
  return new Promise((resolve) => {
    tickWaiters.push(resolve);
    if (tickWaiters.length === 1) {
      setTimeout(() => {
        const w = tickWaiters;
        tickWaiters = [];
        for (const r of w) r();
      }, ms);
    }
  });
}

/** Paces the reads of one source and switches its watch off while it is busy. */
export class ReadPacer {
  #gap: number;
  #last = -Infinity;
  #subscribe?: () => (() => void) | undefined;
  #unsubscribe?: () => void;
  #busy = false;
  #streak = 0;
  #lastData = -Infinity;

  constructor(gapMs = READ_GAP_MS) {
    this.#gap = gapMs;
  }

  /** Whether the file is polled every gap because it is busy (its watch dropped). */
  get busy(): boolean {
    return this.#busy;
  }

  /**
   * Watch with `subscribe` (returns its unsubscribe, or undefined when no watch could be set).
   * `mayDrop`: the watch sees every write, so it can give way to fast polling while busy.
   * Returns whether a watch is set.
   */
  watch(subscribe: () => (() => void) | undefined, mayDrop: boolean): boolean {
    this.#unsubscribe = subscribe();
    if (this.#unsubscribe && mayDrop) this.#subscribe = subscribe;
    return this.#unsubscribe !== undefined;
  }

  /** Drop the watch for good. */
  close(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#subscribe = undefined;
  }

  /** Call before a read: resolves at once, or when `gapMs` have passed since the previous read. */
  pace(): Promise<void> | undefined {
    const now = performance.now();
    const wait = this.#last + this.#gap - now;
    if (wait <= 0 || this.#busy) { // busy: the poll tick spaces the reads already
      this.#last = now;
      return undefined;
    }
    this.#last = now + wait;
    return new Promise((resolve) =>
      setTimeout(() => {
        this.#last = performance.now(); // when the read really starts (timers run late)
        resolve();
      }, wait)
    );
  }

  /** After a read that brought `got` bytes, wait for the next one (`idleMs` or a wake when quiet). */
  wait(got: number, idleMs: number, waker: { wait(ms: number): Promise<void> }): Promise<void> {
    const ms = this.next(got, idleMs);
    // (Timers fire about a millisecond late: ask for one less to poll every gap.)
    return this.#busy ? sharedTick(Math.max(1, ms - 1)) : waker.wait(ms);
  }

  /** After a read that brought `got` bytes: ms to wait for the next one (`idleMs` when quiet). */
  next(got: number, idleMs: number): number {
    if (!this.#subscribe) return idleMs;
    const now = performance.now();
    if (got > 0) {
      this.#streak = now - this.#lastData <= BUSY_WITHIN_MS ? this.#streak + 1 : 1;
      this.#lastData = now;
      if (!this.#busy && this.#streak >= BUSY_STREAK) {
        this.#busy = true;
        this.#unsubscribe?.();
        this.#unsubscribe = undefined;
      }
    } else if (this.#busy && now - this.#lastData >= QUIET_MS) {
      this.#unsubscribe = this.#subscribe();
      if (this.#unsubscribe) {
        this.#busy = false;
        this.#streak = 0;
        return 0; // one more read: what was written before the watch was back
      }
    }
    return this.#busy ? this.#gap : idleMs;
  }
}
