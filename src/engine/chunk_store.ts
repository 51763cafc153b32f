/**
 * The older tiers of a stream's scroll-back: compressed chunks (gzip members) held in memory,
 * and, when the shared budget is short, spilled to the stream's spill file. Chunks are read back
 * (one decoded chunk cached) for ranges and searches. Without a spill file, a chunk pushed out of
 * memory is gone: its lines are counted as discarded.
 * @module
 */
import { decodeMemberText } from "../codec/gzip_chunk.ts";
import type { BufferBudget } from "./buffer_budget.ts";
import type { BufferedLine } from "./plain_chunk.ts";
import type { SpillFile, SpillRef } from "./spill_file.ts";

/** Consecutive lines compressed together. */
export interface Chunk {
  first: number;
  count: number;
  /** Uncompressed bytes. */
  raw: number;
  /** [lines, time] runs. */
  times: [number, number][];
  /** Line numbers cut at the line cap. */
  truncated: number[];
  /** The gzip member, while it is held in memory. */
  gz?: Uint8Array;
  /** Where it is in the spill file, once spilled. */
  spill?: SpillRef;
}

/** Options for a {@link ChunkStore}. */
export interface ChunkStoreOptions {
  /** The shared budget, told of every byte held and freed. */
  budget: BufferBudget;
  /** Where evicted chunks go; without one they are discarded. */
  spill?: SpillFile;
  /** Told once when spilling fails (then evicted chunks are discarded). */
  onWarning?: (message: string) => void;
}

/** Compressed and spilled chunks, oldest first. */
export class ChunkStore {
  #chunks: Chunk[] = [];
  #head = 0;
  #memory = 0;
  #spilled = 0;
  #discarded = 0;
  #spillFailed = false;
  #cache?: { chunk: Chunk; lines: BufferedLine[] };
  #o: ChunkStoreOptions;

  constructor(options: ChunkStoreOptions) {
    this.#o = options;
  }

  /** Bytes of compressed chunks held in memory. */
  get memory(): number {
    return this.#memory;
  }

  /** Chunks written to the spill file so far (still readable). */
  get spilled(): number {
    return this.#spilled;
  }

  /** Lines of chunks that had nowhere to go (gone for good). */
  get discarded(): number {
    return this.#discarded;
  }

  /** The oldest readable chunk. */
  get oldest(): Chunk | undefined {
    return this.#chunks[this.#head];
  }

  /** The newest chunk. */
  get newest(): Chunk | undefined {
    return this.#chunks.length > this.#head ? this.#chunks[this.#chunks.length - 1] : undefined;
  }

  /** Lines readable in the chunks. */
  get lines(): number {
    let n = 0;
    for (let i = this.#head; i < this.#chunks.length; i++) n += this.#chunks[i].count;
    return n;
  }

  /** Keep a newly compressed chunk (its `gz` in memory). */
  add(chunk: Chunk): void {
    this.#chunks.push(chunk);
    this.#memory += chunk.gz!.length;
    this.#o.budget.add(chunk.gz!.length);
  }

  /** Spill (or, without a spill file, discard) the oldest chunk held in memory; bytes freed. */
  evictOldest(): number {
    let i = this.#head;
    while (i < this.#chunks.length && !this.#chunks[i].gz) i++;
    const c = this.#chunks[i];
    if (!c?.gz) return 0;
    const freed = c.gz.length;
    const spill = this.#o.spill;
    if (spill && !this.#spillFailed) {
      try {
        c.spill = spill.append(c.gz);
        this.#spilled++;
      } catch (err) {
        this.#spillFailed = true;
        this.#o.onWarning?.(
          `cannot spill buffer to "${spill.path}": ${
            (err as Error).message
          }; the oldest lines will be discarded`,
        );
      }
    }
    c.gz = undefined;
    this.#memory -= freed;
    this.#o.budget.add(-freed);
    if (!c.spill) {
      // Nowhere to keep it: drop every chunk up to this one, counted.
      while (this.#head <= i) this.#discarded += this.#chunks[this.#head++].count;
      if (this.#head > 64 && this.#head > this.#chunks.length / 2) {
        this.#chunks = this.#chunks.slice(this.#head);
        this.#head = 0;
      }
    }
    return freed;
  }

  /** Append to `out` the lines with line_num in `[from, to)`, read synchronously. */
  readRangeSync(from: number, to: number, out: BufferedLine[]): void {
    for (let i = this.#head; i < this.#chunks.length && out.length < to - from; i++) {
      const c = this.#chunks[i];
      if (c.first + c.count <= from || c.first >= to) continue;
      if (!c.gz && (!c.spill || !this.#o.spill)) continue; // discarded
      const lines = this.#linesOf(c, c.gz ?? this.#o.spill!.readSync(c.spill!));
      for (const l of lines) if (l.num >= from && l.num < to) out.push(l);
    }
  }

  /** The first line passing `ok`, going forward from line `from` or backward from it. */
  async search(
    ok: (l: BufferedLine) => boolean,
    from: number,
    forward: boolean,
  ): Promise<BufferedLine | undefined> {
    const n = this.#chunks.length;
    for (let k = 0; k < n - this.#head; k++) {
      const c = this.#chunks[forward ? this.#head + k : n - 1 - k];
      if (forward ? c.first + c.count <= from : c.first > from) continue;
      if (!c.gz && !c.spill) continue; // discarded
      const lines = this.#cache?.chunk === c
        ? this.#cache.lines
        : this.#linesOf(c, c.gz ?? await this.#o.spill!.read(c.spill!));
      if (forward) {
        for (const l of lines) if (ok(l)) return l;
      } else {
        for (let i = lines.length - 1; i >= 0; i--) if (ok(lines[i])) return lines[i];
      }
    }
    return undefined;
  }

  #linesOf(c: Chunk, bytes: Uint8Array): BufferedLine[] {
    if (this.#cache?.chunk === c) return this.#cache.lines;
    const text = decodeMemberText(bytes);
    const lines: BufferedLine[] = new Array(c.count);
    let pos = 0;
    let num = c.first;
    let k = 0;
    for (const [n, time] of c.times) {
      for (let j = 0; j < n; j++) {
        const nl = text.indexOf("\n", pos);
        lines[k++] = { num, content: text.slice(pos, nl), time };
        pos = nl + 1;
        num++;
      }
    }
    for (const t of c.truncated) lines[t - c.first].truncated = true;
    this.#cache = { chunk: c, lines };
    return lines;
  }

  /** Forget every chunk, in memory and spilled (the discarded count stays). */
  clear(): void {
    this.#o.budget.add(-this.#memory);
    this.#chunks = [];
    this.#head = 0;
    this.#memory = 0;
    this.#spilled = 0;
    this.#cache = undefined;
    this.#o.spill?.remove();
  }
}
