/**
 * A bounded queue between producers (the streams of a job) and one consumer (a `for await`).
 * Producers wait while it is full; every waiter is kept in a list, so any number of blocked
 * producers all resume, and closing the channel — by the producer side, by an abort signal or
 * by the consumer leaving its loop early — wakes every one of them.
 * @module
 */

/** Options for an {@link EventChannel}. */
export interface EventChannelOptions<T> {
  /** Queued items at most before `push` waits (default 10,000). */
  capacity?: number;
  /** Closes the channel when aborted. */
  signal?: AbortSignal;
  /** Called once when the channel closes, whatever closed it. */
  onClose?: () => void;
}

/** A bounded, closable async queue with lists of waiting producers and consumers. */
export class EventChannel<T> implements AsyncIterable<T> {
  #queue: T[] = [];
  #head = 0;
  #capacity: number;
  #producers: (() => void)[] = [];
  #consumers: (() => void)[] = [];
  #closed = false;
  #ending = false;
  #signal?: AbortSignal;
  #onAbort = () => this.close();
  #onClose?: () => void;

  constructor(options: EventChannelOptions<T> = {}) {
    this.#capacity = Math.max(1, options.capacity ?? 10_000);
    this.#onClose = options.onClose;
    this.#signal = options.signal;
    if (this.#signal?.aborted) this.close();
    else this.#signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** Items waiting for the consumer. */
  get length(): number {
    return this.#queue.length - this.#head;
  }

  /** Closed: nothing more is accepted, and the consumer stops once it is told. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Producers waiting for room right now. */
  get waitingProducers(): number {
    return this.#producers.length;
  }

  /**
   * Queue an item, waiting while the channel is full. Resolves true once queued, false when the
   * channel closed first (the item is dropped: nobody will read it).
   */
  async push(item: T): Promise<boolean> {
    while (!this.#closed && this.#full()) {
      await new Promise<void>((resolve) => this.#producers.push(resolve));
    }
    if (this.#closed) return false;
    this.#enqueue(item);
    return true;
  }

  /** Queue an item now, ignoring the capacity (for what must come first, e.g. a replay). */
  pushNow(item: T): void {
    if (!this.#closed) this.#enqueue(item);
  }

  /** No more items will come: the consumer drains what is queued, then stops. */
  end(): void {
    this.#ending = true;
    this.#wakeAll(this.#consumers);
  }

  /** Stop at once: queued items are dropped, and every waiting producer and consumer wakes. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#ending = true;
    this.#queue = [];
    this.#head = 0;
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#wakeAll(this.#producers);
    this.#wakeAll(this.#consumers);
    this.#onClose?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    try {
      while (true) {
        if (this.#closed) return;
        if (this.length > 0) {
          const item = this.#shift();
          yield item;
          continue;
        }
        if (this.#ending) return;
        await new Promise<void>((resolve) => this.#consumers.push(resolve));
      }
    } finally {
      // Also reached when the consumer breaks out of its loop: nobody reads any more.
      this.close();
    }
  }

  #full(): boolean {
    return this.length >= this.#capacity;
  }

  #enqueue(item: T): void {
    this.#queue.push(item);
    this.#wakeAll(this.#consumers);
  }

  #shift(): T {
    const item = this.#queue[this.#head];
    this.#queue[this.#head++] = undefined as T;
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    // Room for at least one: let every waiting producer re-check (each waits again if still full).
    this.#wakeAll(this.#producers);
    return item;
  }

  #wakeAll(list: (() => void)[]): void {
    if (list.length === 0) return;
    const woken = list.splice(0);
    for (const wake of woken) wake();
  }
}
