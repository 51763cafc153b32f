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
/** Reads in a row that brought data, each within {@link busyWithin} ms of the one before. */
const BUSY_STREAK = 8;
const BUSY_WITHIN_MS = READ_GAP_MS + 2;
/**
 * With many files written at once (reads with data, all files, at least {@link CROWD_RATE} a
 * second), a file read every {@link CROWD_WITHIN_MS} or more often is busy too: a wake per
 * write of each costs more than polling them all together on the shared tick.
 */
const CROWD_RATE = 1000;
const CROWD_WITHIN_MS = 15;
/** The shared tick, ms: the read gap for a few busy files, up to 10 ms for many. */
const MAX_TICK_MS = 10;

/** Files busy now, and reads with data of all files in the last 100 ms window. */
const crowd = { busy: 0, windowStart: 0, count: 0, lastCount: 0 };

/** Note a read with data; the busy threshold for it, ms. */
function busyWithin(now: number): number {
  if (now - crowd.windowStart >= 100) {
    crowd.lastCount = now - crowd.windowStart < 200 ? crowd.count : 0;
    crowd.windowStart = now;
    crowd.count = 0;
  }
  crowd.count++;
  return crowd.lastCount * 10 >= CROWD_RATE ? CROWD_WITHIN_MS : BUSY_WITHIN_MS;
}

/** The shared tick for the busy files now: a fifth of a ms each, between the gap and 10 ms. */
function busyTickMs(gap: number): number {
  return Math.max(gap, Math.min(MAX_TICK_MS, crowd.busy * 0.2));
}
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
    if (this.#busy) crowd.busy--;
    this.#busy = false;
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
    return this.#busy ? sharedTick(Math.max(1, busyTickMs(ms) - 1)) : waker.wait(ms);
  }

  /** After a read that brought `got` bytes: ms to wait for the next one (`idleMs` when quiet). */
  next(got: number, idleMs: number): number {
    if (!this.#subscribe) return idleMs;
    const now = performance.now();
    if (got > 0) {
      this.#streak = now - this.#lastData <= busyWithin(now) ? this.#streak + 1 : 1;
      this.#lastData = now;
      if (!this.#busy && this.#streak >= BUSY_STREAK) {
        this.#busy = true;
        crowd.busy++;
        this.#unsubscribe?.();
        this.#unsubscribe = undefined;
      }
    } else if (this.#busy && now - this.#lastData >= QUIET_MS) {
      this.#unsubscribe = this.#subscribe();
      if (this.#unsubscribe) {
        this.#busy = false;
        crowd.busy--;
        this.#streak = 0;
        return 0; // one more read: what was written before the watch was back
      }
    }
    return this.#busy ? this.#gap : idleMs;
  }
}
