/**
 * A stream's scroll-back, in three tiers: the newest lines in memory as they are; older lines
 * compressed (gzip, `compression.level`) into chunks once the buffer reaches `cleanup_threshold`
 * percent of `max_lines`/`max_size_per_stream`; and, when the shared budget is short, chunks
 * spilled to a gzip file. `readRange` and `search` read all three transparently. Only when no
 * spill file is possible and memory is full are the oldest lines dropped — and counted.
 * @module
 */
import type { StreamingConfig } from "../config/schema.ts";
import type { LineBatch } from "./line_batch.ts";
import { type BudgetMember, type BufferBudget, defaultBudget } from "./buffer_budget.ts";
import { decodeMemberText, encodeMember, type Level, toLevel } from "./gzip_chunk.ts";
import { type SpillRef, SpillFile } from "./spill_file.ts";

/** One buffered line. */
export interface BufferedLine {
  num: number;
  content: string;
  time: number;
  truncated?: boolean;
}

/** Limits and storage for a {@link StreamBuffer}. */
export interface StreamBufferOptions {
  /** Lines held uncompressed in memory, at most. */
  maxLines: number;
  /** Bytes held uncompressed in memory, at most; also the cap of compressed chunks in memory. */
  maxBytes: number;
  /** Percent of the caps at which the oldest lines get compressed (default 80). */
  cleanupThreshold?: number;
  /** Compress chunks (default true); false stores them (gzip level 0). */
  compress?: boolean;
  /** gzip level 0–9 (default 6). */
  level?: number;
  /** Shared budget of all buffers (default: a process-wide 100 MB one). */
  budget?: BufferBudget;
  /** Directory for spill files; without one, chunks over budget are discarded (and counted). */
  spillDir?: string;
  /** A name for the spill file (e.g. the stream key). */
  name?: string;
  /** Told once when spilling fails (then chunks over budget are discarded). */
  onWarning?: (message: string) => void;
}

interface Chunk {
  first: number;
  count: number;
  /** Uncompressed bytes. */
  raw: number;
  /** [lines, time] runs. */
  times: [number, number][];
  /** Line numbers cut at the line cap. */
  truncated: number[];
  gz?: Uint8Array;
  spill?: SpillRef;
}

const enc = new TextEncoder();
/** Chunks hold at most this many uncompressed bytes, so reading one back stays cheap. */
const CHUNK_BYTES = 1 << 20;

/** The scroll-back of one stream. */
export class StreamBuffer implements BudgetMember {
  #lines: BufferedLine[] = [];
  #head = 0; // index of the oldest live line in #lines (compacted lazily)
  #bytes = 0;
  #discarded = 0;
  #chunks: Chunk[] = [];
  #chunkHead = 0;
  #chunkMemory = 0;
  #spilled = 0;
  #maxLines: number;
  #maxBytes: number;
  #hiLines: number;
  #hiBytes: number;
  #level: Level;
  #budget: BufferBudget;
  #spill?: SpillFile;
  #spillFailed = false;
  #opts: StreamBufferOptions;
  #cache?: { chunk: Chunk; lines: BufferedLine[] };

  constructor(options: StreamBufferOptions) {
    this.#opts = options;
    this.#maxLines = Math.max(1, options.maxLines);
    this.#maxBytes = Math.max(1, options.maxBytes);
    const pct = Math.min(100, Math.max(1, options.cleanupThreshold ?? 80)) / 100;
    this.#hiLines = Math.max(1, Math.floor(this.#maxLines * pct));
    this.#hiBytes = Math.max(1, Math.floor(this.#maxBytes * pct));
    this.#level = options.compress === false ? 0 : toLevel(options.level ?? 6);
    this.#budget = options.budget ?? defaultBudget();
    this.#budget.join(this);
    if (options.spillDir) {
      const safe = (options.name ?? "stream").replace(/[^A-Za-z0-9_.-]+/g, "_").slice(0, 80);
      const rand = Math.random().toString(36).slice(2, 8);
      this.#spill = new SpillFile(`${options.spillDir}/spill/${Deno.pid}-${safe}-${rand}.gz`);
    }
  }

  /** Buffer options from the streaming config (the persistence directory hosts spill files). */
  static optionsFromConfig(cfg: StreamingConfig, budget: BufferBudget, spillDir?: string): StreamBufferOptions {
    return {
      maxLines: cfg.buffer.max_lines,
      maxBytes: cfg.buffer.max_size_per_stream,
      cleanupThreshold: cfg.buffer.cleanup_threshold,
      compress: cfg.buffer.compression && cfg.compression.enabled,
      level: cfg.compression.level,
      budget,
      spillDir: cfg.persistence.enabled ? spillDir : undefined,
    };
  }

  /** Lines held uncompressed in memory. */
  get length(): number {
    return this.#lines.length - this.#head;
  }

  /** Bytes of the uncompressed lines in memory. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Lines pushed out by the caps so far (gone for good). */
  get discarded(): number {
    return this.#discarded;
  }

  /** Bytes of compressed chunks held in memory. */
  get chunkMemory(): number {
    return this.#chunkMemory;
  }

  /** Chunks written to the spill file so far (still readable). */
  get spilledChunks(): number {
    return this.#spilled;
  }

  /** The spill file's path, once one was written. */
  get spillPath(): string | undefined {
    return this.#spill && this.#spill.size > 0 ? this.#spill.path : undefined;
  }

  /** line_num of the oldest line still readable (0 when empty). */
  get firstLineNum(): number {
    const c = this.#chunks[this.#chunkHead];
    if (c) return c.first;
    return this.#lines[this.#head]?.num ?? 0;
  }

  /** line_num of the newest line (0 when empty). */
  get lastLineNum(): number {
    const l = this.#lines[this.#lines.length - 1];
    if (this.length > 0) return l.num;
    const c = this.#chunks[this.#chunks.length - 1];
    return c && this.#chunks.length > this.#chunkHead ? c.first + c.count - 1 : 0;
  }

  /** Lines readable through {@link readRange}: in memory, compressed or spilled. */
  get totalLines(): number {
    let n = this.length;
    for (let i = this.#chunkHead; i < this.#chunks.length; i++) n += this.#chunks[i].count;
    return n;
  }

  /** Append every line of a batch. */
  append(batch: LineBatch): void {
    const t = batch.text;
    let pos = 0;
    for (let i = 0; i < batch.count; i++) {
      const nl = t.indexOf("\n", pos);
      const line: BufferedLine = { num: batch.firstLine + i, content: t.slice(pos, nl), time: batch.time };
      if (batch.truncated?.includes(i)) line.truncated = true;
      this.#lines.push(line);
      pos = nl + 1;
    }
    this.#bytes += t.length;
    this.#budget.add(t.length);
    this.#maintain();
  }

  #maintain(): void {
    if (this.length > this.#hiLines || this.#bytes > this.#hiBytes) {
      // Compress down to half the threshold so that compaction happens in large runs.
      const loLines = Math.floor(this.#hiLines / 2);
      const loBytes = Math.floor(this.#hiBytes / 2);
      while (this.length > 1 && (this.length > loLines || this.#bytes > loBytes)) this.#compressOldest(loLines, loBytes);
    }
    if (this.#head > 4096 && this.#head > this.#lines.length / 2) {
      this.#lines = this.#lines.slice(this.#head);
      this.#head = 0;
    }
    while (this.#chunkMemory > this.#maxBytes && this.evictOldestChunk() > 0) { /* spill or drop */ }
    this.#budget.enforce();
  }

  /** Move the oldest lines (at most CHUNK_BYTES) into a compressed chunk. */
  #compressOldest(loLines: number, loBytes: number): void {
    const start = this.#head;
    let end = start;
    let raw = 0;
    while (
      end < this.#lines.length - 1 && raw < CHUNK_BYTES &&
      (this.#lines.length - end > loLines || this.#bytes - raw > loBytes)
    ) {
      raw += this.#lines[end].content.length + 1;
      end++;
    }
    if (end === start) {
      raw = this.#lines[start].content.length + 1;
      end = start + 1;
    }
    const lines = this.#lines.slice(start, end);
    this.#head = end;
    this.#bytes -= raw;
    this.#budget.add(-raw);
    const times: [number, number][] = [];
    const truncated: number[] = [];
    let text = "";
    for (const l of lines) {
      text += l.content + "\n";
      const last = times[times.length - 1];
      if (last && last[1] === l.time) last[0]++;
      else times.push([1, l.time]);
      if (l.truncated) truncated.push(l.num);
    }
    const chunk: Chunk = { first: lines[0].num, count: lines.length, raw, times, truncated };
    chunk.gz = encodeMember(enc.encode(text), { l: chunk.first, n: chunk.count }, this.#level);
    this.#chunks.push(chunk);
    this.#chunkMemory += chunk.gz.length;
    this.#budget.add(chunk.gz.length);
  }

  /** Spill (or, without a spill file, discard) the oldest chunk held in memory. */
  evictOldestChunk(): number {
    let i = this.#chunkHead;
    while (i < this.#chunks.length && !this.#chunks[i].gz) i++;
    const c = this.#chunks[i];
    if (!c?.gz) return 0;
    const freed = c.gz.length;
    if (this.#spill && !this.#spillFailed) {
      try {
        c.spill = this.#spill.append(c.gz);
        this.#spilled++;
      } catch (err) {
        this.#spillFailed = true;
        this.#opts.onWarning?.(
          `cannot spill buffer to "${this.#spill.path}": ${(err as Error).message}; the oldest lines will be discarded`,
        );
      }
    }
    c.gz = undefined;
    this.#chunkMemory -= freed;
    this.#budget.add(-freed);
    if (!c.spill) {
      // Nowhere to keep it: drop every chunk up to this one, counted.
      while (this.#chunkHead <= i) this.#discarded += this.#chunks[this.#chunkHead++].count;
      if (this.#chunkHead > 64 && this.#chunkHead > this.#chunks.length / 2) {
        this.#chunks = this.#chunks.slice(this.#chunkHead);
        this.#chunkHead = 0;
      }
    }
    return freed;
  }

  /** In-memory lines `[from, from+count)` counted from the oldest held uncompressed (0-based). */
  slice(from: number, count: number): BufferedLine[] {
    const a = this.#head + Math.max(0, from);
    return this.#lines.slice(a, Math.min(this.#lines.length, a + count));
  }

  /** The last `count` lines (from memory). */
  tail(count: number): BufferedLine[] {
    return this.#lines.slice(Math.max(this.#head, this.#lines.length - count));
  }

  /** Lines with line_num in `[fromLine, fromLine+count)`, wherever they are kept. */
  async readRange(fromLine: number, count: number): Promise<BufferedLine[]> {
    const out: BufferedLine[] = [];
    const to = fromLine + count;
    for (let i = this.#chunkHead; i < this.#chunks.length && out.length < count; i++) {
      const c = this.#chunks[i];
      if (c.first + c.count <= fromLine || c.first >= to) continue;
      const lines = await this.#chunkLines(c);
      for (const l of lines) if (l.num >= fromLine && l.num < to) out.push(l);
    }
    const hot = this.#lines;
    for (let i = this.#head; i < hot.length && out.length < count; i++) {
      if (hot[i].num >= fromLine && hot[i].num < to) out.push(hot[i]);
    }
    return out;
  }

  /**
   * The first line matching `regex`, starting at line_num `fromLine` (inclusive) and going
   * forward or backward through every tier. Undefined when nothing matches.
   */
  async search(
    regex: RegExp,
    fromLine: number,
    direction: "forward" | "backward" = "forward",
  ): Promise<BufferedLine | undefined> {
    const re = regex.global || regex.sticky ? new RegExp(regex.source, regex.flags.replace(/[gy]/g, "")) : regex;
    const fwd = direction === "forward";
    const ok = (l: BufferedLine) => (fwd ? l.num >= fromLine : l.num <= fromLine) && re.test(l.content);
    const hot = this.#lines;
    if (!fwd) {
      for (let i = hot.length - 1; i >= this.#head; i--) if (ok(hot[i])) return hot[i];
    }
    const n = this.#chunks.length;
    for (let k = 0; k < n - this.#chunkHead; k++) {
      const c = this.#chunks[fwd ? this.#chunkHead + k : n - 1 - k];
      if (fwd ? c.first + c.count <= fromLine : c.first > fromLine) continue;
      const lines = await this.#chunkLines(c);
      if (fwd) {
        for (const l of lines) if (ok(l)) return l;
      } else {
        for (let i = lines.length - 1; i >= 0; i--) if (ok(lines[i])) return lines[i];
      }
    }
    if (fwd) {
      for (let i = this.#head; i < hot.length; i++) if (ok(hot[i])) return hot[i];
    }
    return undefined;
  }

  async #chunkLines(c: Chunk): Promise<BufferedLine[]> {
    if (this.#cache?.chunk === c) return this.#cache.lines;
    const bytes = c.gz ?? await this.#spill!.read(c.spill!);
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

  /** Forget everything held, in memory and spilled (the discarded count stays). */
  clear(): void {
    this.#budget.add(-(this.#bytes + this.#chunkMemory));
    this.#lines = [];
    this.#head = 0;
    this.#bytes = 0;
    this.#chunks = [];
    this.#chunkHead = 0;
    this.#chunkMemory = 0;
    this.#spilled = 0;
    this.#cache = undefined;
    this.#spill?.remove();
  }

  /** Clear, delete the spill file and leave the shared budget. */
  close(): void {
    this.clear();
    this.#budget.leave(this);
  }
}
