/**
 * One timer for many deadlines. Every followed stream waits between reads for a wake or a
 * timeout (the safety poll), and a wake usually comes first: with a timer of its own per wait,
 * fifty files written every 10 ms made 5,000 timers a second, each set and cleared (≈ 5 % of the
 * reading thread's CPU). Here a wait is an entry in a heap; a cancelled entry is only marked, and
 * the one timer, set for the earliest deadline, is not moved for it — when it fires it drops the
 * cancelled entries and is set again for the earliest live one. With no live entry left the
 * timer is cleared (nothing keeps the process up), and cancelled entries never outnumber the
 * live ones by much (the heap is rebuilt without them).
 * @module
 */

/** A pending deadline. */
export interface Deadline {
  /** Do not call its function (cheap: the timer is left alone). */
  cancel(): void;
}

interface Entry {
  at: number;
  fire: () => void;
  live: boolean;
}

/** Deadlines served by one timer. */
export class SharedTimer {
  #heap: Entry[] = [];
  #timer?: ReturnType<typeof setTimeout>;
  #timerAt = Infinity;
  #live = 0;

  /** Pending entries, cancelled ones included until the timer drops them (tests). */
  get size(): number {
    return this.#heap.length;
  }

  /** Call `fire` in `ms` milliseconds unless cancelled first. */
  after(ms: number, fire: () => void): Deadline {
    const e: Entry = { at: performance.now() + ms, fire, live: true };
    this.#push(e);
    this.#live++;
    if (e.at < this.#timerAt) this.#arm(e.at);
    return {
      cancel: () => {
        if (!e.live) return;
        e.live = false;
        this.#live--;
        if (this.#live === 0) this.#clear();
        else if (this.#heap.length > 1024 && this.#heap.length > 4 * this.#live) this.#rebuild();
      },
    };
  }

  /** No live deadline: no timer, no entries. */
  #clear(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
    this.#heap = [];
  }

  /** The heap without its cancelled entries. */
  #rebuild(): void {
    const live = this.#heap.filter((e) => e.live);
    this.#heap = [];
    for (const e of live) this.#push(e);
  }

  #arm(at: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, at - performance.now()));
  }

  #fire(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = performance.now();
    const due: Entry[] = [];
    while (this.#heap.length > 0 && (!this.#heap[0].live || this.#heap[0].at <= now)) {
      const e = this.#pop();
      if (e.live) due.push(e);
    }
    if (this.#heap.length > 0) this.#arm(this.#heap[0].at);
    for (const e of due) {
      e.live = false;
      this.#live--;
    }
    if (this.#live === 0) this.#clear();
    for (const e of due) e.fire();
  }

  #push(e: Entry): void {
    const h = this.#heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p].at <= h[i].at) break;
      [h[p], h[i]] = [h[i], h[p]];
      i = p;
    }
  }

  #pop(): Entry {
    const h = this.#heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      while (true) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l].at < h[m].at) m = l;
        if (r < h.length && h[r].at < h[m].at) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    return top;
  }
}
