/**
 * Decides when a followed file is read next without a wake. A file whose reads keep bringing
 * data in quick succession is busy: its inotify watch is dropped and it is polled on a tick
 * shared by all busy files (read_scheduler.ts runs them all in one turn): at 50 files × 1,000
 * writes/s the per-event wake-ups (tens of thousands a second) cost more than the reads.
 * Once the file is quiet again the watch comes back, followed by one read so nothing written in
 * between waits for the safety poll.
 * @module
 */

/** The poll interval of a busy file alone, ms (the shared tick grows with their number). */
export const READ_GAP_MS = 3;
/** Reads in a row that brought data, each within {@link busyWithin} ms of the one before. */
const BUSY_STREAK = 8;
const BUSY_WITHIN_MS = READ_GAP_MS + 2;
/**
 * With many files written at once (reads with data, all files, at least {@link CROWD_RATE} a
 * second), a file read every {@link CROWD_WITHIN_MS} or more often is busy too: a wake per
 * write of each costs more than polling them all together on the shared tick. 60 ms takes in a
 * program whose stdio writes 4 KiB blocks at 1,000 lines/s (one every ~35 ms): woken by inotify
 * per block, fifty such files cost Deno's watcher thread alone ~18 ms of CPU a second.
 */
const CROWD_RATE = 1000;
const CROWD_WITHIN_MS = 60;
/** As many busy files as this are a crowd too (see {@link busyWithin}). */
const CROWD_BUSY_FILES = 10;
/**
 * The shared tick, ms: the read gap for a few busy files, up to 100 ms (the default poll
 * interval, the latency promised where polling finds writes) for fifty or more. Each turn reads
 * every busy file, checks heads and writes the output once, and much of its cost is per read (a
 * data read, the head read again through the descriptor, a batch through the sinks): for fifty
 * files fed 4 KiB blocks or 10 lines every 10 ms, about 0.23–0.25 s of CPU in 5 s at 40 ms and
 * 0.18–0.21 s at 100 ms (measured with schedstat, interleaved runs). A line of such a crowd then
 * waits up to ~100 ms, as a line of a polled file does.
 */
const MAX_TICK_MS = 100;
/** The shared tick grows by this much per busy file, ms. */
const TICK_PER_FILE_MS = 2;

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
  // (Busy files count as many written at once, whatever their reads bring a second: on the
  // shared tick fifty of them make 500 reads a second, and a file that left them would not come
  // back, woken by inotify per block.)
  return crowd.lastCount * 10 >= CROWD_RATE || crowd.busy >= CROWD_BUSY_FILES
    ? CROWD_WITHIN_MS
    : BUSY_WITHIN_MS;
}

/** The shared tick for the busy files now: 2 ms each, between the gap and 100 ms. */
function busyTickMs(gap: number, maxTick: number): number {
  return Math.max(gap, Math.min(maxTick, crowd.busy * TICK_PER_FILE_MS));
}
/**
 * How early a file may be read to share a turn with others, ms: the busy files' reads fall on
 * one grid (see {@link ReadPacer.delay}), and this takes in the microseconds between them.
 */
export const READ_AHEAD_MS = 1;
/** A busy file with no new data for this long is quiet again. */
const QUIET_MS = 100;

/** Times the reads of one source and switches its watch off while it is busy. */
export class ReadPacer {
  #gap: number;
  #maxTick: number;
  #subscribe?: () => (() => void) | undefined;
  #unsubscribe?: () => void;
  #busy = false;
  #streak = 0;
  #lastData = -Infinity;

  /**
   * `maxTickMs`: the longest the shared tick may grow to for this file (its poll interval when
   * that is shorter than the default: a line never waits longer than the user asked for).
   */
  constructor(gapMs = READ_GAP_MS, maxTickMs = MAX_TICK_MS) {
    this.#gap = gapMs;
    this.#maxTick = Math.max(gapMs, Math.min(MAX_TICK_MS, maxTickMs));
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

  /**
   * After a read that brought `got` bytes: ms until the next read without a wake. A busy file
   * gets the shared tick (all busy files are read in one turn of the read scheduler).
   */
  delay(got: number, idleMs: number): number {
    const ms = this.next(got, idleMs);
    if (!this.#busy) return ms;
    // The next point of a grid every busy file shares, whatever the phase it became busy in:
    // they are all read in one turn of the scheduler, and their lines go out in one write.
    // (Timers fire about a millisecond late: ask for one less.)
    const tick = busyTickMs(ms, this.#maxTick);
    // (A few busy files alone: read every gap, as soon as it has passed.)
    if (tick <= ms) return Math.max(1, tick - 1);
    let wait = tick - (performance.now() % tick);
    if (wait < tick / 2) wait += tick; // a turn just before a point (timers fire early too)
    return Math.max(1, wait - 1);
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
