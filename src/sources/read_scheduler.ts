/**
 * One scheduler for the reads of every followed file: one timer for the whole process, and one
 * wake per batch of work instead of a timer, a wake and a promise chain per stream per read.
 *
 * A reader registers once and is then only called: its {@link ScheduledReader.turn} reads what
 * its file holds now and hands it on, synchronously where it can (local files are read with
 * `readSync`), and says when it wants its next turn without a wake. Wakes (an inotify event)
 * mark a reader ready; every ready or due reader is run in the same turn of the event loop, so
 * a burst of writes to fifty files costs one wake, and what their sinks print meets in one
 * write. A reader with asynchronous work (backpressure, opening a file, a retry) returns a
 * promise and is left out until it settles.
 *
 * Measured with a prototype on 50 files × 1,000 lines/s for 5 s (2 shared cores; CPU of the
 * reading process, notify thread included), against 50 `tail -F` at about 0.3–0.7 s: every file
 * woken by its inotify events 0.41 s with 10 lines per file every 10 ms and 1.6 s with a line or
 * two every millisecond (Deno's watcher thread alone 0.9 s: ≈ 10 µs an event), every file polled
 * on one 10 ms tick 0.23–0.24 s for both — so busy files are best polled on the shared tick and
 * only quiet ones woken by events.
 * @module
 */
import { loopTurned } from "../platform/loop_turn.ts";

/** A reader the scheduler runs. */
export interface ScheduledReader {
  /**
   * Read what is there and hand it on. Returns the ms until the reader wants another turn
   * without a wake (`Infinity`: only when woken), or a promise for that number when it has
   * asynchronous work to finish first (it gets no turn until the promise settles).
   */
  turn(): number | Promise<number>;
}

/** A registered reader. */
export interface ReaderHandle {
  /** Give the reader a turn soon (with every other reader woken meanwhile). */
  wake(): void;
  /** Never run the reader again. */
  close(): void;
}

/** Options for a {@link ReadScheduler}. */
export interface ReadSchedulerOptions {
  /**
   * A wake after a quiet spell gets a turn as soon as the current task's microtasks are done
   * (latency first); one within `gapMs` of the last turn waits until `gapMs` after it, and
   * shares that turn with every reader woken meanwhile (default 0).
   */
  gapMs?: number;
  /**
   * A turn also runs the readers due within this many ms (default 0): busy files polled on the
   * shared tick, whatever their phase, fall into step and share one turn (and one write of their
   * output) instead of each taking a wake of its own.
   */
  aheadMs?: number;
  /** Called after each turn in which readers ran (e.g. to flush output once). */
  afterTurn?: () => void;
  /** A reader's turn threw or its promise rejected: the reader is dropped and this is told. */
  onError?: (err: unknown) => void;
}

interface Entry {
  reader: ScheduledReader;
  /** When the reader wants its next turn (performance.now() ms). */
  due: number;
  woken: boolean;
  busy: boolean;
  closed: boolean;
}

/** Runs the turns of many readers on one timer. */
export class ReadScheduler {
  #o: ReadSchedulerOptions;
  #entries = new Set<Entry>();
  #timer?: ReturnType<typeof setTimeout>;
  #timerAt = Infinity;
  #turns = 0;
  #soonQueued = false;
  #lastRun = -Infinity;
  #closed = false;

  constructor(options: ReadSchedulerOptions = {}) {
    this.#o = options;
  }

  /** How many turns ran so far (tests, debugging). */
  get turns(): number {
    return this.#turns;
  }

  /** How many readers are registered. */
  get size(): number {
    return this.#entries.size;
  }

  /** Register a reader; its first turn comes after `firstInMs` (default: at once). */
  add(reader: ScheduledReader, firstInMs = 0): ReaderHandle {
    const e: Entry = {
      reader,
      due: performance.now() + firstInMs,
      woken: false,
      busy: false,
      closed: false,
    };
    this.#entries.add(e);
    this.#arm(e.due);
    return {
      wake: () => {
        if (e.closed) return;
        e.woken = true;
        if (e.busy) return;
        const at = this.#lastRun + (this.#o.gapMs ?? 0);
        if (at > performance.now()) this.#arm(at);
        else this.#soon();
      },
      close: () => {
        e.closed = true;
        this.#entries.delete(e);
      },
    };
  }

  /** Stop: no reader runs again. */
  close(): void {
    this.#closed = true;
    for (const e of this.#entries) e.closed = true;
    this.#entries.clear();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  /**
   * A turn after the current task's microtasks: a wake is served without waiting for a timer
   * (Deno's timers wake a millisecond or more late), and every wake of the same task shares it.
   */
  #soon(): void {
    if (this.#soonQueued || this.#closed) return;
    this.#soonQueued = true;
    queueMicrotask(() => {
      this.#soonQueued = false;
      if (!this.#closed) this.#run();
    });
  }

  /** Make sure a turn runs at `at` or earlier (one timer: moved only when earlier). */
  #arm(at: number): void {
    if (this.#closed || at === Infinity) return;
    if (this.#timer !== undefined) {
      if (this.#timerAt <= at) return;
      clearTimeout(this.#timer);
    }
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      loopTurned(); // a timer's callback: the event loop turned to run it
      this.#run();
    }, Math.max(0, at - performance.now()));
  }

  #run(): void {
    const now = performance.now();
    this.#lastRun = now;
    const until = now + (this.#o.aheadMs ?? 0);
    let ran = false;
    for (const e of [...this.#entries]) {
      if (e.closed || e.busy || !(e.woken || e.due <= until)) continue;
      e.woken = false;
      ran = true;
      let next: number | Promise<number>;
      try {
        next = e.reader.turn();
      } catch (err) {
        this.#drop(e, err);
        continue;
      }
      if (typeof next === "number") {
        e.due = now + next;
        continue;
      }
      e.busy = true;
      e.due = Infinity;
      next.then(
        (ms) => {
          e.busy = false;
          if (e.closed) return;
          e.due = performance.now() + ms;
          // A wake during the work is not lost: it asks for a turn at once.
          this.#arm(e.woken ? performance.now() : e.due);
        },
        (err) => this.#drop(e, err),
      );
    }
    if (ran) {
      this.#turns++;
      this.#o.afterTurn?.();
    }
    let next = Infinity;
    for (const e of this.#entries) {
      if (e.busy) continue;
      next = Math.min(next, e.woken ? now : e.due);
    }
    this.#arm(next);
  }

  #drop(e: Entry, err: unknown): void {
    e.closed = true;
    this.#entries.delete(e);
    this.#o.onError?.(err);
  }
}
