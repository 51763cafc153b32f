/**
 * Records one stream into its history session: lines are gathered and written as complete gzip
 * members (at least every `flushMs`, or every `memberBytes` of text), so after a crash the file
 * ends on a whole member and stays readable. Parts rotate at `maxFileSize`. The part is opened
 * for each member and closed after it (O_APPEND): a stream holds no descriptor between writes, so
 * s9s needs about one per followed file, not two.
 * @module
 */
import { releaseShared, sharedBytes } from "./shared_members.ts";
import type { LineBatch } from "../core/line_batch.ts";
import { encodeMember, type Level, reframeMember } from "../codec/gzip_chunk.ts";
import { partFileName } from "./history_dir.ts";
import type { HistoryEntry, MemberMeta, StreamMeta } from "./history_index.ts";
import { writeAll } from "../platform/write_all.ts";

/** Options for a {@link HistoryWriter}. */
export interface HistoryWriterOptions {
  dir: string;
  meta: Omit<StreamMeta, "part">;
  level: Level;
  maxFileSize: number;
  /**
   * Longest time lines wait before they are on disk (default 1000 ms); null: no timer, lines
   * wait for a full member or the end (a stream read once to its end).
   */
  flushMs?: number | null;
  /** Text gathered before a member is written at once (default 256 KB). */
  memberBytes?: number;
  /** Called when a write fails; the writer then stops. */
  onError: (err: Error) => void;
  /** Called after a part was started (e.g. to enforce max_files). */
  onRotate?: () => void;
  /** Bytes waiting for compression or disk, shared by all writers (bounds memory). */
  backlog?: Backlog;
  /**
   * Compresses members (default: inline, on this thread); `last`: the member the stream's end
   * (or the writer's close) flushes.
   */
  encode?: (
    data: Uint8Array,
    meta: MemberMeta,
    level: Level,
    last: boolean,
  ) => Promise<Uint8Array>;
  /**
   * Called before the first write of a part, unless that write is the last one queued after the
   * stream ended ({@link HistoryWriter.end}) or the writer closed: the part is then complete as
   * it appears, like any finished one (should lines come after all, they start a new part).
   * Resolves once other processes' cleanup knows the session is live (a marker on disk).
   */
  protect?: () => Promise<void>;
}

const enc = new TextEncoder();
const HIGH = 8 * 1024 * 1024;
const MIN_BUF = 16 * 1024;
const LOW = 4 * 1024 * 1024;

/** Bytes waiting for compression or the disk, shared by writers; readers wait above HIGH. */
export interface Backlog {
  bytes: number;
  waiters?: (() => void)[];
  /** The last append to a part file: writers append one at a time, so one descriptor at most. */
  disk?: Promise<void>;
}

/** The writer of one history session. */
export class HistoryWriter {
  #o: HistoryWriterOptions;
  #part = 0;
  #partSize = 0;
  #entry?: HistoryEntry;
  #done: HistoryEntry[] = [];
  /** The member's text, encoded as it comes (see {@link add}); `#len` bytes of it are used. */
  #buf?: Uint8Array;
  #len = 0;
  /** The size a new member buffer starts at: about the last member's (see {@link grow}). */
  #startSize = MIN_BUF;
  #textBytes = 0;
  #first = 0;
  #count = 0; // lines gathered for the member
  #last = 0; // line_num of the last line gathered
  #gaps: number[] = []; // [index in member, jump in line_num] where lines are not consecutive
  #runs: [number, number][] = [];
  #trunc: number[] = [];
  #timer?: ReturnType<typeof setTimeout>;
  #queue: Promise<void> = Promise.resolve();
  #backlog: Backlog;
  #failed = false;
  #closed = false;
  #started = false;
  /** close() was called: what is queued now is all there will be. */
  #closing = false;
  /** The stream ended (or the writer closes): no more lines are expected. */
  #final = false;
  /** The current part was written unprotected, as complete: the next member starts a new part. */
  #complete = false;
  /** Members queued for the disk and not yet written (or failed). */
  #queued = 0;

  constructor(options: HistoryWriterOptions) {
    this.#o = options;
    this.#backlog = options.backlog ?? { bytes: 0 };
  }

  /** Path of the part being written. */
  get currentPath(): string | undefined {
    return this.#entry ? `${this.#o.dir}/${this.#entry.file}` : undefined;
  }

  /** Index entries of every part (the current one included). */
  get entries(): HistoryEntry[] {
    return this.#entry ? [...this.#done, { ...this.#entry }] : [...this.#done];
  }

  /** Whether a write failed (the writer no longer records). */
  get failed(): boolean {
    return this.#failed;
  }

  /**
   * Add a batch. `nums` gives each line's line_num when they are not consecutive (the lines a
   * filter kept). The promise (when returned) resolves once the disk caught up (backpressure).
   */
  add(batch: LineBatch, nums?: number[]): Promise<void> | undefined {
    if (this.#failed || this.#closing || batch.count === 0) return;
    this.#final = false; // a requeued job's stream goes on
    if (this.#len === 0) {
      this.#first = nums?.[0] ?? batch.firstLine;
      this.#count = 0;
      this.#last = this.#first - 1;
    }
    if (nums) {
      // Locals, not private fields, in the one loop per saved line (a filtered catch-up's).
      const gaps = this.#gaps;
      const base = this.#count;
      let last = this.#last;
      for (let i = 0; i < nums.length; i++) {
        const n = nums[i];
        if (n !== last + 1) gaps.push(base + i, n - last - 1);
        last = n;
      }
      this.#last = last;
    } else {
      if (batch.firstLine !== this.#last + 1) {
        this.#gaps.push(this.#count, batch.firstLine - this.#last - 1);
      }
      this.#last = batch.firstLine + batch.count - 1;
    }
    this.#count += batch.count;
    this.#append(batch.text);
    this.#textBytes += batch.text.length;
    const last = this.#runs[this.#runs.length - 1];
    if (last && last[1] === batch.time) last[0] += batch.count;
    else this.#runs.push([batch.count, batch.time]);
    if (batch.truncated) {
      for (const i of batch.truncated) this.#trunc.push(nums ? nums[i] : batch.firstLine + i);
    }
    if (
      this.#textBytes >= (this.#o.memberBytes ?? 256 * 1024) || this.#runs.length >= 512 ||
      this.#gaps.length >= 4096
    ) {
      this.#flush();
    } else if (this.#timer === undefined && this.#o.flushMs !== null) {
      const t = setTimeout(() => this.#flush(), this.#o.flushMs ?? 1000);
      Deno.unrefTimer(t);
      this.#timer = t;
    }
    // Let the readers run ahead of compression and disk by a few MB at most; resume at half, so
    // that reading and compressing overlap instead of taking turns.
    if (this.#backlog.bytes <= HIGH) return undefined;
    return new Promise<void>((resolve) => (this.#backlog.waiters ??= []).push(resolve));
  }

  /**
   * Encode a batch's text onto the member now rather than keep the string until the member is
   * written: the strings then die young instead of living on for up to a second, and no join
   * and encode of the whole member follows (20 files, 40 MB recorded: garbage collection on the
   * main thread ~175 ms -> ~75 ms, client CPU -10% with the pool's hand-over).
   */
  #append(text: string): void {
    let pos = 0;
    while (true) {
      if (!this.#buf || this.#buf.length - this.#len < 16) this.#grow();
      const r = enc.encodeInto(pos ? text.slice(pos) : text, this.#buf!.subarray(this.#len));
      this.#len += r.written;
      pos += r.read;
      if (pos >= text.length) return;
      this.#grow(); // encodeInto stops before a character that does not fit
    }
  }

  /**
   * A bigger member buffer: the first one of a member about as big as the last member was (from
   * 16 KB), then doubling. Not the whole member size at once: a quiet stream's members are a few
   * hundred bytes, and 50 followed streams each taking a new 320 KB buffer every second were
   * 16 MB/s of garbage in V8's large-object space. Not from 16 KB every time either: a catch-up's
   * 256 KB members then copied each byte about twice more on the way up.
   */
  #grow(): void {
    const size = this.#buf ? this.#buf.length * 2 : this.#startSize;
    // Shared memory: a compression worker reads the member where it is (see GzipPool's post).
    const next = sharedBytes(size);
    if (this.#buf) {
      next.set(this.#buf.subarray(0, this.#len));
      releaseShared(this.#buf);
    }
    this.#buf = next;
  }

  #flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#len === 0 || this.#failed) return;
    // The buffer goes with the member (the encoder may take it over); the next gets a new one.
    const text = this.#buf!.subarray(0, this.#len);
    this.#buf = undefined;
    // Room for the next member like this one (an eighth more: members end past the threshold).
    const cap = 2 * (this.#o.memberBytes ?? 256 * 1024);
    this.#startSize = Math.min(cap, Math.max(MIN_BUF, this.#len + (this.#len >> 3)));
    this.#len = 0;
    const meta: MemberMeta = { l: this.#first, r: this.#runs };
    if (this.#trunc.length) meta.x = this.#trunc;
    if (this.#gaps.length) meta.g = this.#gaps;
    const lines = this.#runs.reduce((n, r) => n + r[0], 0);
    const firstTs = this.#runs[0][1];
    const lastTs = this.#runs[this.#runs.length - 1][1];
    this.#textBytes = 0;
    this.#runs = [];
    this.#trunc = [];
    this.#gaps = [];
    if (!this.#started) {
      // The first member of a part says whose stream this is.
      meta.s = { ...this.#o.meta, part: 1 };
      this.#started = true;
    }
    const size = text.length;
    // Behind the reader (a catch-up burst): the fastest level (1) rather than the configured one,
    // so the stream waits less; the configured level resumes once the backlog drains. (Stored
    // members made a catch-up twice as fast but took four times the disk: see git log.)
    const level = this.#backlog.bytes > LOW ? (Math.min(this.#o.level, 1) as Level) : this.#o.level;
    const encoded = this.#o.encode
      ? this.#o.encode(text, { ...meta }, level, this.#final)
      : Promise.resolve(encodeMember(text, meta, level));
    // A job skipped after a write error never awaits its member: its failure (the pool closed
    // at the end) must not become an unhandled rejection.
    encoded.catch(() => {});
    const job = async () => {
      if (this.#failed) return;
      const sent = { written: 0 };
      try {
        let member = await encoded;
        const rotate = this.#partSize > 0 &&
          (this.#complete || this.#partSize + member.length > this.#o.maxFileSize);
        if (rotate) {
          meta.s = { ...this.#o.meta, part: this.#part + 1 };
          // Only the metadata changes: the encoder may have taken over `text` already.
          member = reframeMember(member, meta);
        }
        const start = !this.#entry || rotate;
        const name = start ? partFileName(this.#o.meta.id, this.#part + 1) : this.#entry!.file;
        // A short run's only member needs no marker: the file appears whole, already finished.
        if (start) {
          this.#complete = this.#final && this.#queued === 1;
          if (!this.#complete) await this.#o.protect?.();
        }
        // Open, append, close, one writer after another: history holds no descriptor between
        // members and one at a time while writing, however many streams record.
        const append = async () => {
          // Opened before the current part is given up: a failure leaves that one current (cut).
          const file = await Deno.open(`${this.#o.dir}/${name}`, {
            write: true,
            create: true,
            append: true,
            mode: 0o600,
          });
          try {
            if (start) this.#startPart(name, meta.l, firstTs);
            await writeAll(file, member, sent);
          } finally {
            file.close();
          }
        };
        const turn = (this.#backlog.disk ?? Promise.resolve()).then(append);
        this.#backlog.disk = turn.catch(() => {});
        await turn;
        this.#partSize += member.length;
        const e = this.#entry!;
        e.size = this.#partSize;
        e.lines += lines;
        e.bytes += size;
        e.last_ts = lastTs;
      } catch (err) {
        this.#failed = true;
        if (this.#entry) {
          // What reached the disk before the error is there (a partial member readers skip):
          // count it, and mark the part cut short.
          this.#partSize += sent.written;
          this.#entry.size = this.#partSize;
          this.#entry.cut = true;
        }
        this.#o.onError(err as Error);
      }
    };
    this.#backlog.bytes += size;
    this.#queued++;
    this.#queue = this.#queue.then(job).finally(() => {
      this.#queued--;
      const b = this.#backlog;
      b.bytes -= size;
      if (b.bytes <= LOW && b.waiters?.length) { for (const w of b.waiters.splice(0)) w(); }
    });
  }

  #startPart(file: string, firstLine: number, firstTs: number): void {
    if (this.#entry) this.#done.push({ ...this.#entry });
    this.#part++;
    this.#partSize = 0;
    this.#entry = {
      ...this.#o.meta,
      part: this.#part,
      file,
      first_line: firstLine,
      lines: 0,
      bytes: 0,
      first_ts: firstTs,
      last_ts: firstTs,
      size: 0,
    };
    if (this.#part > 1) this.#o.onRotate?.();
  }

  /** Write what is gathered now (a complete member) and wait for the disk. */
  async flush(): Promise<void> {
    this.#flush();
    await this.#queue;
  }

  /** The stream ended: write what is gathered as what may be its last member. */
  end(): Promise<void> {
    this.#final = true;
    return this.flush();
  }

  /** Flush and close. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closing = true;
    this.#final = true;
    await this.flush();
    this.#closed = true;
  }
}
