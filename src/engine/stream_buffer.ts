/**
 * A stream's scroll-back, in three tiers: the newest lines in memory as they are; older lines
 * compressed (gzip, `compression.level`) into chunks once the buffer reaches `cleanup_threshold`
 * percent of `max_lines`/`max_size_per_stream`; and, when the shared budget is short, chunks
 * spilled to a gzip file. `readRange` and `search` read all three transparently. Only when no
 * spill file is possible and memory is full are the oldest lines dropped — and counted.
 *
 * This file holds the newest tier and moves lines down; the compressed and spilled tiers are
 * chunk_store.ts.
 * @module
 */
import type { StreamingConfig } from "../config/schema.ts";
import { expandHome } from "../platform/paths.ts";
import type { LineBatch } from "../core/line_batch.ts";
import { type BudgetMember, BufferBudget, defaultBudget } from "./buffer_budget.ts";
import { encodeMember, type Level, toLevel } from "../codec/gzip_chunk.ts";
import { SpillFile } from "./spill_file.ts";
import { SPILL_DIR, spillFileName } from "./spill_dir.ts";
import { type BufferedLine, PlainChunk } from "./plain_chunk.ts";
import { type Chunk, ChunkStore } from "./chunk_store.ts";
import { BufferView } from "./buffer_view.ts";

export type { BufferedLine } from "./plain_chunk.ts";
export { BufferView } from "./buffer_view.ts";

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

const budgets = new WeakMap<StreamingConfig, BufferBudget>();

/**
 * A buffer wired to the config: caps from `streaming.buffer`, level from `streaming.compression`,
 * one budget shared by every buffer made from the same config, and spill files in the
 * persistence directory when persistence is enabled.
 */
export function bufferForStream(
  cfg: StreamingConfig,
  name: string,
  onWarning?: (message: string) => void,
): StreamBuffer {
  let budget = budgets.get(cfg);
  if (!budget) budgets.set(cfg, budget = BufferBudget.fromConfig(cfg));
  const spillDir = expandHome(cfg.persistence.directory);
  return new StreamBuffer({
    ...StreamBuffer.optionsFromConfig(cfg, budget, spillDir),
    name,
    onWarning,
  });
}

const enc = new TextEncoder();
/** What a held line costs beyond its text (its offset, once read), as the budget counts it. */
const LINE_OVERHEAD = 8;
/** Chunks hold at most this many uncompressed bytes, so reading one back stays cheap. */
const CHUNK_BYTES = 1 << 20;

/** The scroll-back of one stream. */
export class StreamBuffer implements BudgetMember {
  #hot: PlainChunk[] = [];
  #hotHead = 0; // index of the oldest live chunk in #hot (compacted lazily)
  #hotLines = 0;
  #bytes = 0;
  #hotCost = 0;
  #chunks: ChunkStore;
  #maxLines: number;
  #maxBytes: number;
  #hiLines: number;
  #hiBytes: number;
  #level: Level;
  #budget: BufferBudget;
  #spill?: SpillFile;
  #appended = 0; // batches since the last tidy()

  constructor(options: StreamBufferOptions) {
    this.#maxLines = Math.max(1, options.maxLines);
    this.#maxBytes = Math.max(1, options.maxBytes);
    const pct = Math.min(100, Math.max(1, options.cleanupThreshold ?? 80)) / 100;
    this.#hiLines = Math.max(1, Math.floor(this.#maxLines * pct));
    this.#hiBytes = Math.max(1, Math.floor(this.#maxBytes * pct));
    this.#level = options.compress === false ? 0 : toLevel(options.level ?? 6);
    this.#budget = options.budget ?? defaultBudget();
    this.#budget.join(this);
    if (options.spillDir) {
      this.#spill = new SpillFile(
        `${options.spillDir}/${SPILL_DIR}/${spillFileName(options.name)}`,
      );
    }
    this.#chunks = new ChunkStore({
      budget: this.#budget,
      spill: this.#spill,
      onWarning: options.onWarning,
    });
  }

  /** Buffer options from the streaming config (the persistence directory hosts spill files). */
  static optionsFromConfig(
    cfg: StreamingConfig,
    budget: BufferBudget,
    spillDir?: string,
  ): StreamBufferOptions {
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
    return this.#hotLines;
  }

  /** Bytes of the uncompressed lines in memory. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Lines pushed out by the caps so far (gone for good). */
  get discarded(): number {
    return this.#chunks.discarded;
  }

  /** Memory of the uncompressed lines as the budget counts it (text plus per-line overhead). */
  get hotMemory(): number {
    return this.#hotCost;
  }

  /**
   * Housekeeping (`buffer.cleanup_interval`): when no line came since the last call, the
   * stream is quiet; its plain lines are compressed (they stay readable, at a fraction of the
   * memory).
   */
  tidy(): void {
    const appended = this.#appended;
    this.#appended = 0;
    if (appended === 0 && this.length > 0) this.#compressDownTo(0, 0);
  }

  /** Compress all but the newest quarter of the threshold now (the shared budget is short). */
  compactHot(): number {
    const before = this.#hotCost;
    const lines = Math.floor(this.#hiLines / 4);
    const bytes = Math.floor(this.#hiBytes / 4);
    this.#compressDownTo(lines, bytes);
    return before - this.#hotCost;
  }

  /** Bytes of compressed chunks held in memory. */
  get chunkMemory(): number {
    return this.#chunks.memory;
  }

  /** Chunks written to the spill file so far (still readable). */
  get spilledChunks(): number {
    return this.#chunks.spilled;
  }

  /** The spill file's path, once one was written. */
  get spillPath(): string | undefined {
    return this.#spill && this.#spill.size > 0 ? this.#spill.path : undefined;
  }

  /** line_num of the oldest line still readable (0 when empty). */
  get firstLineNum(): number {
    return this.#chunks.oldest?.first ?? this.#hot[this.#hotHead]?.first ?? 0;
  }

  /** line_num of the newest line (0 when empty). */
  get lastLineNum(): number {
    const h = this.#hot[this.#hot.length - 1];
    if (this.length > 0) return h.first + h.count - 1;
    const c = this.#chunks.newest;
    return c ? c.first + c.count - 1 : 0;
  }

  /** Lines readable through {@link readRange}: in memory, compressed or spilled. */
  get totalLines(): number {
    return this.length + this.#chunks.lines;
  }

  /** Append every line of a batch (kept as the batch's one string until compressed). */
  append(batch: LineBatch): void {
    if (batch.count === 0) return;
    this.#appended++;
    this.#hot.push(PlainChunk.fromBatch(batch));
    this.#hotLines += batch.count;
    const cost = batch.text.length + LINE_OVERHEAD * batch.count;
    this.#bytes += batch.text.length;
    this.#hotCost += cost;
    this.#budget.add(cost);
    this.#maintain();
  }

  #maintain(): void {
    const loLines = Math.floor(this.#hiLines / 2);
    const loBytes = Math.floor(this.#hiBytes / 2);
    if (this.length > this.#maxLines || this.#bytes > this.#maxBytes) {
      // Past the hard caps: compress now, as much as it takes.
      this.#compressDownTo(loLines, loBytes);
    } else if (this.length > this.#hiLines || this.#bytes > this.#hiBytes) {
      // Between the threshold and the caps: one chunk (≤ 1 MB) per append, so compression
      // keeps pace with the input without ever blocking the event loop for long.
      this.#compressOldest(loLines, loBytes);
      if (this.#hotHead > 1024 && this.#hotHead > this.#hot.length / 2) {
        this.#hot = this.#hot.slice(this.#hotHead);
        this.#hotHead = 0;
      }
    }
    while (this.#chunks.memory > this.#maxBytes && this.evictOldestChunk() > 0) {
      /* spill or drop */
    }
    this.#budget.enforce();
  }

  #compressDownTo(lines: number, bytes: number): void {
    while (this.length > 0 && (this.length > lines || this.#bytes > bytes)) {
      this.#compressOldest(lines, bytes);
    }
    if (this.#hotHead > 1024 && this.#hotHead > this.#hot.length / 2) {
      this.#hot = this.#hot.slice(this.#hotHead);
      this.#hotHead = 0;
    }
  }

  /** Move the oldest lines (about CHUNK_BYTES at most) into one compressed chunk. */
  #compressOldest(loLines: number, loBytes: number): void {
    const needLines = this.#hotLines - loLines;
    const needBytes = this.#bytes - loBytes;
    const taken: PlainChunk[] = [];
    let raw = 0;
    let n = 0;
    while (
      this.#hotHead < this.#hot.length && raw < CHUNK_BYTES && (n < needLines || raw < needBytes)
    ) {
      let c = this.#hot[this.#hotHead];
      const want = Math.max(needLines - n, c.linesCovering(needBytes - raw));
      const k = Math.max(1, Math.min(c.count, want, c.linesCovering(CHUNK_BYTES - raw)));
      if (k < c.count) {
        const [head, rest] = c.split(k);
        this.#hot[this.#hotHead] = rest;
        c = head;
      } else {
        this.#hot[this.#hotHead++] = undefined as unknown as PlainChunk; // let it go
      }
      taken.push(c);
      raw += c.text.length;
      n += c.count;
    }
    this.#hotLines -= n;
    this.#bytes -= raw;
    const cost = raw + LINE_OVERHEAD * n;
    this.#hotCost -= cost;
    this.#budget.add(-cost);
    const times: [number, number][] = [];
    const truncated: number[] = [];
    for (const c of taken) {
      const last = times[times.length - 1];
      if (last && last[1] === c.time) last[0] += c.count;
      else times.push([c.count, c.time]);
      if (c.truncated) { for (const i of c.truncated) truncated.push(c.first + i); }
    }
    const text = taken.length === 1 ? taken[0].text : taken.map((c) => c.text).join("");
    const chunk: Chunk = { first: taken[0].first, count: n, raw, times, truncated };
    chunk.gz = encodeMember(enc.encode(text), { l: chunk.first, n: chunk.count }, this.#level);
    this.#chunks.add(chunk);
  }

  /** Spill (or, without a spill file, discard) the oldest chunk held in memory. */
  evictOldestChunk(): number {
    return this.#chunks.evictOldest();
  }

  /** In-memory lines `[from, from+count)` counted from the oldest held uncompressed (0-based). */
  slice(from: number, count: number): BufferedLine[] {
    const out: BufferedLine[] = [];
    let skip = Math.max(0, from);
    for (let i = this.#hotHead; i < this.#hot.length && out.length < count; i++) {
      const c = this.#hot[i];
      if (skip >= c.count) {
        skip -= c.count;
        continue;
      }
      for (let j = skip; j < c.count && out.length < count; j++) out.push(c.line(j));
      skip = 0;
    }
    return out;
  }

  /** The last `count` lines (from memory). */
  tail(count: number): BufferedLine[] {
    return this.slice(Math.max(0, this.length - count), count);
  }

  /** Lines with line_num in `[fromLine, fromLine+count)`, wherever they are kept. */
  async readRange(fromLine: number, count: number): Promise<BufferedLine[]> {
    // A chunk read back is at most ~1 MB, so the synchronous path serves both.
    return await Promise.resolve(this.readRangeSync(fromLine, count));
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
    const re = regex.global || regex.sticky
      ? new RegExp(regex.source, regex.flags.replace(/[gy]/g, ""))
      : regex;
    const fwd = direction === "forward";
    const ok = (l: BufferedLine) =>
      (fwd ? l.num >= fromLine : l.num <= fromLine) && re.test(l.content);
    const hot = this.#hot;
    if (!fwd) {
      for (let i = hot.length - 1; i >= this.#hotHead; i--) {
        for (let j = hot[i].count - 1; j >= 0; j--) {
          const l = hot[i].line(j);
          if (ok(l)) return l;
        }
      }
    }
    const found = await this.#chunks.search(ok, fromLine, fwd);
    if (found) return found;
    if (fwd) {
      for (let i = this.#hotHead; i < hot.length; i++) {
        for (let j = 0; j < hot[i].count; j++) {
          const l = hot[i].line(j);
          if (ok(l)) return l;
        }
      }
    }
    return undefined;
  }

  /** {@link readRange} without waiting: compressed and spilled chunks are read synchronously. */
  readRangeSync(fromLine: number, count: number): BufferedLine[] {
    const out: BufferedLine[] = [];
    const to = fromLine + count;
    this.#chunks.readRangeSync(fromLine, to, out);
    for (let i = this.#hotHead; i < this.#hot.length && out.length < count; i++) {
      const c = this.#hot[i];
      if (c.first + c.count <= fromLine || c.first >= to) continue;
      const a = Math.max(0, fromLine - c.first);
      const b = Math.min(c.count, to - c.first);
      for (let j = a; j < b; j++) out.push(c.line(j));
    }
    return out;
  }

  /**
   * Every readable line — in memory, compressed or spilled — as a synchronous list indexed from
   * the oldest (the TUI's scroll-back reads through this, so scrolling reaches spilled lines).
   */
  get all(): BufferView {
    return new BufferView(this);
  }

  /** Forget everything held, in memory and spilled (the discarded count stays). */
  clear(): void {
    this.#budget.add(-this.#hotCost);
    this.#hot = [];
    this.#hotHead = 0;
    this.#hotLines = 0;
    this.#bytes = 0;
    this.#hotCost = 0;
    this.#chunks.clear();
  }

  /** Clear, delete the spill file and leave the shared budget. */
  close(): void {
    this.clear();
    this.#budget.leave(this);
  }
}
