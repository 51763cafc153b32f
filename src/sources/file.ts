/**
 * Follow a file with `tail -F` semantics: wait for it to appear, follow appends (inotify wakes
 * the reader at once; a poll catches writes inotify cannot see, as on NFS/Lustre), survive
 * truncation and rotation, and never emit half a line.
 * @module
 */
import { basename, dirname } from "node:path";
import { LineSplitter } from "../core/line_splitter.ts";
import type { SourceKind } from "../core/stream_event.ts";
import { UserFacingError } from "../errors.ts";
import { type Source, type SourceSink, Waker } from "./source.ts";
import { onLocalFs, type WatchHub } from "./watch_hub.ts";
import { ReadPacer } from "./read_pacer.ts";

/** Options for {@link FileSource}. */
export interface FileSourceOptions {
  /** How often to look for changes when inotify says nothing, ms. */
  pollIntervalMs?: number;
  /** Bytes per read. */
  chunkSize?: number;
  /** Largest read while catching up on what the file already holds (default 1 MB). */
  catchUpBytes?: number;
  /** Line-length cap in bytes. */
  maxLineBytes?: number;
  /** Keep following after the end of the file (default true). */
  follow?: boolean;
  /** Start with the last N lines instead of the whole file. */
  tailLines?: number;
  /** Stop when aborted. */
  signal?: AbortSignal;
  /** Shared inotify watches; none means polling only. */
  watchHub?: WatchHub;
  /** Report `\r` progress states as they are written. */
  progress?: boolean;
  /** Source kind to report (a file reached over a shared FS is "file"). */
  kind?: SourceKind;
  /** Called for debug logging. */
  debug?: (msg: string) => void;
}

const HEAD_BYTES = 64;
/** Read size while far behind the end of the file (per-read overhead dominates below this). */
const CATCH_UP_BYTES = 1024 * 1024;
/** Poll interval for a followed file whose every write inotify reports. */
const SAFETY_POLL_MS = 2000;
/** Longest time between identity checks (rotation, truncation) while data keeps coming. */
const IDENTITY_CHECK_MS = 250;

/** Is this error "the file is not there"? */
function isNotFound(err: unknown): boolean {
  return err instanceof Deno.errors.NotFound;
}

/** A followed file. */
export class FileSource implements Source {
  readonly kind: SourceKind;
  readonly path: string;
  #opts:
    & Required<Omit<FileSourceOptions, "tailLines" | "signal" | "watchHub" | "kind" | "debug">>
    & FileSourceOptions;
  #splitter: LineSplitter;
  #file?: Deno.FsFile;
  #ino: number | null = null;
  #pos = 0; // bytes read from the current file
  #head: Uint8Array | undefined; // first bytes of the current file, to spot truncate-and-rewrite
  #lastHeadCheck = 0;
  #finishing = false;
  #waker = new Waker();
  #pacer = new ReadPacer();
  #sink?: SourceSink;
  #firstOpen = true;
  #idlePollMs: number;
  #lastIdentityCheck = 0;
  #local: boolean;

  constructor(path: string, options: FileSourceOptions = {}) {
    this.path = path;
    this.kind = options.kind ?? "file";
    this.#opts = {
      pollIntervalMs: 100,
      chunkSize: 1024 * 1024,
      catchUpBytes: CATCH_UP_BYTES,
      maxLineBytes: 1024 * 1024,
      follow: true,
      progress: false,
      ...options,
    };
    this.#splitter = new LineSplitter({ maxLineBytes: this.#opts.maxLineBytes });
    this.#idlePollMs = this.#opts.pollIntervalMs;
    this.#local = onLocalFs(path);
  }

  /** Byte offset just past the last delivered line. */
  get offset(): number {
    return this.#splitter.committedOffset;
  }

  /** line_num the next line will get. */
  get nextLine(): number {
    return this.#splitter.nextLine;
  }

  finish(): void {
    this.#finishing = true;
    this.#waker.wake();
  }

  async run(sink: SourceSink): Promise<void> {
    this.#sink = sink;
    const signal = this.#opts.signal;
    const onAbort = () => this.#waker.wake();
    signal?.addEventListener("abort", onAbort);
    this.#watch();
    let reportedWaiting = false;
    try {
      while (!signal?.aborted) {
        if (!this.#file) {
          const opened = await this.#open();
          if (!opened) {
            if (!this.#opts.follow || this.#finishing) {
              sink.status({
                state: "ended",
                message: `file "${this.path}" was never created`,
              });
              return;
            }
            if (!reportedWaiting) {
              sink.status({ state: "waiting", message: `waiting for "${this.path}" to appear` });
              reportedWaiting = true;
            }
            await this.#waker.wait(this.#opts.pollIntervalMs);
            continue;
          }
          sink.status({ state: "live", message: `following "${this.path}"` });
        }
        await this.#pacer.pace(); // a busy file: one read per few ms, not one per event
        const got = await this.#readToEnd();
        if (signal?.aborted) break;
        if (!this.#opts.follow) break;
        // Under a steady write rate most wakes bring data: check the file's identity (a stat)
        // when a wake brought none, or now and then, not on every wake.
        const due = Date.now() - this.#lastIdentityCheck >= IDENTITY_CHECK_MS;
        const change = got === 0 || due || this.#finishing ? await this.#checkIdentity() : "same";
        if (change === "rotated") {
          await this.#emit(this.#splitter.flush());
          this.#close();
          this.#splitter.resetOffset(0);
          this.#opts.debug?.(`rotation detected on ${this.path}`);
          continue;
        }
        if (change === "truncated") {
          await this.#emit(this.#splitter.flush());
          this.#pos = 0;
          await this.#file!.seek(0, Deno.SeekMode.Start);
          this.#splitter.resetOffset(0);
          this.#head = undefined;
          this.#opts.debug?.(`truncation detected on ${this.path}`);
          sink.status({
            state: "live",
            message: `"${this.path}" was truncated; reading it again from the start`,
          });
          continue;
        }
        if (change === "grew") continue;
        if (this.#finishing) break;
        await this.#pacer.wait(got, this.#idlePollMs, this.#waker); // busy: poll, no watch
      }
      // End for good: the unterminated tail is a line too.
      if (!signal?.aborted) await this.#emit(this.#splitter.flush());
    } finally {
      signal?.removeEventListener("abort", onAbort);
      this.#pacer.close();
      this.#close();
    }
  }

  #watch(): void {
    const hub = this.#opts.watchHub;
    if (!hub) return;
    const all = hub.seesAllWrites(this.path);
    const watching = this.#pacer.watch(
      () => hub.watch(dirname(this.path), basename(this.path), () => this.#waker.wake()),
      all,
    );
    // Where inotify sees every write, the poll is a safety net (a lost event): slow it down,
    // so idle streams cost next to nothing. Elsewhere (NFS, Lustre) it is what finds writes.
    if (watching && all) {
      this.#idlePollMs = Math.max(this.#opts.pollIntervalMs, SAFETY_POLL_MS);
    }
  }

  async #open(): Promise<boolean> {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(this.path, { read: true });
    } catch (err) {
      if (isNotFound(err)) return false;
      if (err instanceof Deno.errors.PermissionDenied) {
        throw new UserFacingError(`permission denied reading "${this.path}"`, {
          hint:
            "the file belongs to another user or its directory is not readable; check `ls -l` on it",
          cause: err,
        });
      }
      if (err instanceof Deno.errors.IsADirectory) {
        throw new UserFacingError(`"${this.path}" is a directory, not an output file`, {
          hint: "give the file itself with --path",
        });
      }
      throw err;
    }
    const st = await file.stat();
    if (st.isDirectory) {
      file.close();
      throw new UserFacingError(`"${this.path}" is a directory, not an output file`, {
        hint: "give the file itself with --path",
      });
    }
    this.#file = file;
    this.#ino = st.ino;
    this.#pos = 0;
    this.#head = undefined;
    if (this.#firstOpen && this.#opts.tailLines !== undefined) {
      const { offset, linesBefore } = await tailStart(file, st.size, this.#opts.tailLines);
      this.#pos = offset;
      this.#splitter = new LineSplitter({
        maxLineBytes: this.#opts.maxLineBytes,
        startOffset: offset,
        firstLine: linesBefore + 1,
      });
      await file.seek(offset, Deno.SeekMode.Start);
    }
    this.#firstOpen = false;
    return true;
  }

  #close(): void {
    try {
      this.#file?.close();
    } catch { /* already closed */ }
    this.#file = undefined;
    this.#ino = null;
  }

  /** Read until the end of the file; returns the bytes read. */
  async #readToEnd(): Promise<number> {
    const file = this.#file!;
    const chunk = this.#opts.chunkSize;
    const signal = this.#opts.signal;
    let size = chunk;
    let total = 0;
    while (!signal?.aborted) {
      const view = this.#splitter.reserve(size);
      // Local files are read synchronously: a page-cache copy is cheaper than an async op's
      // round trip through the thread pool, which dominated CPU with many streams.
      const n = this.#local ? file.readSync(view) : await file.read(view);
      if (n === null || n === 0) break;
      if (this.#pos < HEAD_BYTES && this.#head === undefined) this.#captureHead(view, n);
      this.#pos += n;
      total += n;
      await this.#emit(this.#splitter.commit(n));
      // A short read of a regular file is its end: no second read just to be told 0 bytes.
      if (n < view.length) break;
      // A full read means we are behind (catch-up): double the read size, up to catchUpBytes.
      size = Math.max(
        chunk,
        Math.min(size * 2, this.#opts.catchUpBytes - this.#splitter.pendingBytes),
      );
    }
    // Caught up: give back a buffer grown for catch-up (matters with many streams).
    this.#splitter.compact();
    if (this.#opts.progress && this.#sink?.progress) {
      const p = this.#splitter.takeProgress();
      if (p !== undefined) this.#sink.progress(p, this.#splitter.nextLine);
    }
    return total;
  }

  #captureHead(view: Uint8Array, n: number): void {
    if (this.#pos !== 0) return;
    this.#head = view.slice(0, Math.min(n, HEAD_BYTES));
  }

  async #emit(batch: ReturnType<LineSplitter["flush"]>): Promise<void> {
    if (batch) await this.#sink!.batch(batch);
  }

  /** Compare the path's file with the one we hold. */
  async #checkIdentity(): Promise<"same" | "grew" | "truncated" | "rotated"> {
    this.#lastIdentityCheck = Date.now();
    let st: Deno.FileInfo;
    try {
      st = this.#local ? Deno.statSync(this.path) : await Deno.stat(this.path);
    } catch (err) {
      if (isNotFound(err)) return "same"; // moved away and not recreated yet: keep the old one
      return "same";
    }
    if (this.#ino !== null && st.ino !== null && st.ino !== this.#ino) {
      // Rotated: drain what the writer may still have added to the old file, then switch.
      await this.#readToEnd();
      return "rotated";
    }
    if (st.size < this.#pos) return "truncated";
    if (st.size > this.#pos) {
      if (this.#head && Date.now() - this.#lastHeadCheck > 250 && await this.#headChanged()) {
        return "truncated";
      }
      return "grew";
    }
    return "same";
  }

  async #headChanged(): Promise<boolean> {
    this.#lastHeadCheck = Date.now();
    const head = this.#head!;
    let f: Deno.FsFile | undefined;
    try {
      f = await Deno.open(this.path, { read: true });
      const buf = new Uint8Array(head.length);
      let got = 0;
      while (got < buf.length) {
        const n = await f.read(buf.subarray(got));
        if (n === null || n === 0) break;
        got += n;
      }
      if (got < head.length) return true;
      for (let i = 0; i < head.length; i++) if (buf[i] !== head[i]) return true;
      return false;
    } catch {
      return false;
    } finally {
      f?.close();
    }
  }
}

/** Find where the last `n` lines of a file start, and how many lines come before. */
export async function tailStart(
  file: Deno.FsFile,
  size: number,
  n: number,
): Promise<{ offset: number; linesBefore: number }> {
  if (n <= 0) {
    return { offset: size, linesBefore: await countLines(file, size) };
  }
  const block = 64 * 1024;
  const buf = new Uint8Array(block);
  let end = size;
  let found = 0;
  let offset = 0;
  let skipLast = true; // a newline ending the file ends the last line, it does not start one
  outer:
  while (end > 0) {
    const start = Math.max(0, end - block);
    await file.seek(start, Deno.SeekMode.Start);
    const view = buf.subarray(0, end - start);
    await readFull(file, view);
    for (let i = view.length - 1; i >= 0; i--) {
      if (view[i] !== 10) {
        skipLast = false;
        continue;
      }
      if (skipLast) {
        skipLast = false;
        continue;
      }
      found++;
      if (found === n) {
        offset = start + i + 1;
        break outer;
      }
    }
    end = start;
  }
  const linesBefore = offset > 0 ? await countLines(file, offset) : 0;
  return { offset, linesBefore };
}

async function readFull(file: Deno.FsFile, view: Uint8Array): Promise<void> {
  let got = 0;
  while (got < view.length) {
    const n = await file.read(view.subarray(got));
    if (n === null || n === 0) break;
    got += n;
  }
}

async function countLines(file: Deno.FsFile, upTo: number): Promise<number> {
  await file.seek(0, Deno.SeekMode.Start);
  const buf = new Uint8Array(1024 * 1024);
  let pos = 0;
  let count = 0;
  while (pos < upTo) {
    const view = buf.subarray(0, Math.min(buf.length, upTo - pos));
    const n = await file.read(view);
    if (n === null || n === 0) break;
    const v = view.subarray(0, n);
    let p = v.indexOf(10);
    while (p !== -1) {
      count++;
      p = v.indexOf(10, p + 1);
    }
    pos += n;
  }
  return count;
}
