/**
 * The memory budget all stream buffers share (`buffer.max_total_size`, `memory_limit`). Buffers
 * report what they hold; when the total goes over, the buffers holding the most compressed
 * chunks in memory give them up first (spill to disk, or discard and count).
 * @module
 */
import type { StreamingConfig } from "../config/schema.ts";

/** What a buffer must offer the budget. */
export interface BudgetMember {
  /** Bytes of compressed chunks this buffer holds in memory (what it can give up). */
  readonly chunkMemory: number;
  /** Give up the oldest in-memory chunk (spill or discard). Returns the bytes freed. */
  evictOldestChunk(): number;
  /** Bytes of uncompressed lines held. */
  readonly hotMemory: number;
  /** Compress most uncompressed lines now. Returns the bytes freed from the hot tier. */
  compactHot(): number;
  /** Housekeeping, every `buffer.cleanup_interval`: a buffer idle since the last call compresses. */
  tidy?(): void;
}

/** A shared byte budget. */
export class BufferBudget {
  /** The limit in bytes. */
  readonly limit: number;
  #used = 0;
  #members = new Set<BudgetMember>();

  #tidyMs?: number;
  #timer?: ReturnType<typeof setInterval>;

  /** `tidyEveryMs`: the housekeeping period (`buffer.cleanup_interval`); none without it. */
  constructor(limit: number, tidyEveryMs?: number) {
    this.limit = Math.max(1, limit);
    this.#tidyMs = tidyEveryMs && tidyEveryMs > 0 ? tidyEveryMs : undefined;
  }

  /**
   * The budget the config asks for: the smaller of max_total_size and half of memory_limit,
   * with housekeeping every cleanup_interval.
   */
  static fromConfig(cfg: StreamingConfig): BufferBudget {
    // Buffered data is only part of the process' memory: leave memory_limit room for the rest.
    return new BufferBudget(
      Math.min(cfg.buffer.max_total_size, Math.floor(cfg.memory_limit / 2)),
      cfg.buffer.cleanup_interval,
    );
  }

  /** Bytes in use by all buffers. */
  get used(): number {
    return this.#used;
  }

  /** Register a buffer. */
  join(m: BudgetMember): void {
    this.#members.add(m);
    if (this.#tidyMs !== undefined && this.#timer === undefined) {
      // One timer for all buffers, only while there are some; it never keeps s9s running.
      const timer = setInterval(() => {
        for (const b of this.#members) b.tidy?.();
      }, this.#tidyMs);
      Deno.unrefTimer(timer as unknown as number);
      this.#timer = timer;
    }
  }

  /** Unregister a buffer (after it released its bytes). */
  leave(m: BudgetMember): void {
    this.#members.delete(m);
    if (this.#members.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  /** Add (or with a negative number, remove) bytes. */
  add(bytes: number): void {
    this.#used += bytes;
  }

  /**
   * While over the limit: the buffer with the most compressed chunks in memory gives them up
   * (spill or discard); when none has any, the one with the most plain lines compresses them.
   */
  enforce(): void {
    while (this.#used > this.limit) {
      let best: BudgetMember | undefined;
      for (const m of this.#members) {
        if (m.chunkMemory > 0 && (!best || m.chunkMemory > best.chunkMemory)) best = m;
      }
      if (best && best.evictOldestChunk() > 0) continue;
      let hot: BudgetMember | undefined;
      for (const m of this.#members) {
        if (m.hotMemory > 0 && (!hot || m.hotMemory > hot.hotMemory)) hot = m;
      }
      if (!hot || hot.compactHot() <= 0) return;
    }
  }
}

let shared: BufferBudget | undefined;

/** The process-wide default budget (used when a buffer is given none). */
export function defaultBudget(): BufferBudget {
  return shared ??= new BufferBudget(100 * 1024 * 1024);
}
