/**
 * Follow a file with `tail -F` semantics: wait for it to appear, follow appends (inotify wakes
 * the reader at once; a poll catches writes inotify cannot see, as on NFS/Lustre), survive
 * truncation, rewriting and rotation, and never emit half a line.
 *
 * Before the bytes of a read are handed on, the file's first bytes (up to 4 KB) are read again
 * through the same descriptor and compared: a changed head or a size below the position means
 * it was truncated or rewritten, and the stream restarts at 0 with a status event. When the path
 * names another file (checked when a read finds nothing, and every 20 ms while data comes:
 * held_file.ts), every generation born since is opened (generations.ts) and read in turn.
 * Beside this loop: file_open, generations, head_fingerprint, held_file, tail_start,
 * file_errors, read_pacer.
 *
 * Between reads, a local file waits on the process's one read scheduler (read_scheduler.ts):
 * its turns read it synchronously to its end, hand the lines on and check the path, so a wake
 * for many busy files reads them all in one turn of the event loop, without a timer or a
 * promise chain per file per read. Anything else (a rotation, a rewrite, an error, the end,
 * backpressure that outlasts a turn) hands the file back to this loop.
 *
 * Past ~400 lines still: the identity of the file held and the checks of its path live in
 * held_file.ts now; the scheduled turn and the loop still share the position, splitter and head,
 * and moving the turn out must hand those over without a second copy of the checks.
 * @module
 */
import { releaseFifoOpeners } from "./fifo_release.ts";
import { LineSplitter } from "../core/line_splitter.ts";
import type { SourceKind } from "../core/stream_event.ts";
import { FileTrouble } from "./file_errors.ts";
import { noteFollowedFile, releaseFileFd } from "../platform/rlimit.ts";
import { type Source, type SourceSink, Waker } from "./source.ts";
import { HeadFingerprint } from "./head_fingerprint.ts";
import { tailStart } from "./tail_start.ts";
import { onLocalFs, watchFile } from "./watch_hub.ts";
import { READ_AHEAD_MS, READ_GAP_MS, ReadPacer } from "./read_pacer.ts";
import { type ReaderHandle, ReadScheduler } from "./read_scheduler.ts";
import { abortable } from "./abortable.ts";
import { HeldFile } from "./held_file.ts";
import { openFollowed } from "./file_open.ts";
import {
  type Generation,
  Generations,
  rotatedPast,
  rotationStillShifting,
  rotationUnderWay,
  unreadableGeneration,
} from "./generations.ts";
import { type FileSourceOptions, MAX_CATCH_UP_READ } from "./file_options.ts";

export type { FileSourceOptions } from "./file_options.ts";

/** Poll interval for a followed file whose every write inotify reports. */
const SAFETY_POLL_MS = 2000;
/** Looks at a rotation still under way when the stream ends, before giving up on it. */
const FINISH_LOOKS = 20;
/** Looks in a row at rotated names still moving, while following, before saying so. */
const SHIFTING_LOOKS = 20;
/** The reads of every followed local file between the loop's own (see the module comment). */
const scheduler = new ReadScheduler({ gapMs: READ_GAP_MS, aheadMs: READ_AHEAD_MS });

/** Turns of the read scheduler in which some file was read (tests, debugging). */
export function fileReadTurns(): number {
  return scheduler.turns;
}

/** A followed file. */
export class FileSource implements Source {
  readonly kind: SourceKind;
  readonly path: string;
  #opts:
    & Required<
      Omit<
        FileSourceOptions,
        | "tailLines"
        | "signal"
        | "watchHub"
        | "kind"
        | "debug"
        | "batchLines"
        | "preselect"
        | "generationsIo"
      >
    >
    & FileSourceOptions;
  #splitter: LineSplitter;
  #file?: Deno.FsFile;
  #held: HeldFile; // which file is read, and whether the path still names it
  #gens: Generations; // later generations of a rotated file, opened, waiting to be read
  #pos = 0; // bytes read from the current file
  #head = new HeadFingerprint(); // first bytes of the current file as read from offset 0
  #fifo = false;
  #finishing = false;
  /** Collections in a row that did not settle while finishing (see #checkPath). */
  #unsettled = 0;
  /** Looks in a row, while following, that found the rotated names moving. */
  #shifting = 0;
  /** Finishing a run the job was requeued from: a rewrite is the next run's (see finish). */
  #endAtRewrite = false;
  #waker = new Waker();
  #pacer: ReadPacer;
  #reader?: ReaderHandle; // registered with the scheduler while this loop waits for it
  #handBack?: { resolve: () => void; reject: (err: unknown) => void };
  #woken = false; // a wake came while no reader was registered
  #sink?: SourceSink;
  #firstOpen = true;
  #idlePollMs: number;
  #local: boolean;
  #trouble: FileTrouble;

  constructor(path: string, options: FileSourceOptions = {}) {
    this.path = path;
    this.kind = options.kind ?? "file";
    this.#opts = {
      pollIntervalMs: 100,
      chunkSize: 1024 * 1024,
      catchUpBytes: MAX_CATCH_UP_READ,
      maxLineBytes: 1024 * 1024,
      follow: true,
      progress: false,
      errorAfterMs: 10 * 60_000,
      ...options,
    };
    this.#splitter = new LineSplitter({
      maxLineBytes: this.#opts.maxLineBytes,
      maxBatchLines: options.batchLines,
      preselect: options.preselect,
    });
    this.#idlePollMs = this.#opts.pollIntervalMs;
    this.#pacer = new ReadPacer(undefined, this.#opts.pollIntervalMs);
    this.#local = onLocalFs(path);
    this.#gens = new Generations(path, this.#local, options.generationsIo);
    this.#held = new HeldFile(path);
    this.#trouble = new FileTrouble(path, this.#opts.errorAfterMs);
    noteFollowedFile();
  }

  /** Byte offset just past the last delivered line. */
  get offset(): number {
    return this.#splitter.committedOffset;
  }

  /** line_num the next line will get. */
  get nextLine(): number {
    return this.#splitter.nextLine;
  }

  finish(why: "ended" | "requeued" = "ended"): void {
    this.#finishing = true;
    if (why === "requeued") this.#endAtRewrite = true;
    this.#wake();
  }

  #wake(): void {
    if (this.#reader) return this.#reader.wake();
    this.#woken = true;
    this.#waker.wake();
  }

  async run(sink: SourceSink): Promise<void> {
    this.#sink = sink;
    const signal = this.#opts.signal;
    const onAbort = () => {
      this.#wake();
      // A FIFO swapped in for the path may hold our open and the watcher's in the kernel.
      releaseFifoOpeners(this.path);
    };
    signal?.addEventListener("abort", onAbort);
    // Read once to the end (`--no-follow`): nothing to wake for.
    if (this.#opts.follow) this.#watch();
    let reportedWaiting = false;
    try {
      while (!signal?.aborted) {
        if (!this.#file) {
          let opened: boolean;
          try {
            opened = await this.#open();
          } catch (err) {
            // Once followed, a path that turns unreadable (a rotation to a file of another mode)
            // is trouble to report and retry, as tail -F does; only the first open is the
            // user's to fix at once.
            const cause = (err as Error).cause;
            const denied = cause instanceof Deno.errors.PermissionDenied;
            if (this.#firstOpen || !this.#opts.follow || !denied || signal?.aborted) throw err;
            await this.#troubled(cause, "check");
            continue;
          }
          if (signal?.aborted) break;
          if (!opened) {
            if (!this.#opts.follow || this.#finishing) {
              sink.status({ state: "ended", message: `file "${this.path}" was never created` });
              return;
            }
            if (!reportedWaiting) {
              sink.status({ state: "waiting", message: `waiting for "${this.path}" to appear` });
              reportedWaiting = true;
            }
            await this.#waker.wait(this.#opts.pollIntervalMs);
            continue;
          }
          this.#trouble.cleared("check", this.#live);
          sink.status({ state: "live", message: `following "${this.path}"` });
        }
        this.#woken = false;
        let got: number | "rewritten";
        try {
          got = await this.#readToEnd();
        } catch (err) {
          if (signal?.aborted) break;
          await this.#troubled(err, "read");
          continue;
        }
        if (got === "rewritten") {
          if (this.#endAtRewrite) break;
          await this.#restartFromZero();
          continue;
        }
        if (signal?.aborted) break;
        if (this.#fifo) {
          if (got === 0) break; // the writer closed the FIFO: its end
          continue;
        }
        if (!this.#opts.follow) break;
        // Is the path still this file? Asked as `tail -F` asks, when a read found nothing new,
        // and every IDENTITY_CHECK_MS while data keeps coming: a writer that rotates under load
        // makes generations that live milliseconds, and each is opened as soon as it is seen.
        const due = this.#held.due;
        // (A generation read after the one before it rotated is not at the path: no event for
        // it will come, and the next one waits.)
        const moved = this.#gens.waiting > 0;
        const change = got === 0 || due || moved || this.#finishing
          ? await this.#checkPath()
          : "same";
        if (change === "rotated") {
          // The generation read is complete: its writer moved on. Its last line ends here.
          await this.#emit(this.#splitter.flush());
          this.#close();
          this.#splitter.resetOffset(0);
          const next = this.#gens.next();
          if (next) this.#adopt(next);
          this.#opts.debug?.(`rotation on ${this.path}: now reading ${next?.name ?? "(path)"}`);
          continue;
        }
        if (change === "grew") continue;
        if (this.#finishing) break;
        if (!this.#local) {
          await this.#waker.wait(this.#pacer.delay(got, this.#idlePollMs));
          continue;
        }
        try {
          await this.#scheduled(got);
        } catch (err) {
          if (signal?.aborted) break;
          await this.#troubled(err, "read");
        }
      }
      // End for good: the unterminated tail is a line too.
      if (!signal?.aborted) await this.#emit(this.#splitter.flush());
    } finally {
      signal?.removeEventListener("abort", onAbort);
      this.#reader?.close();
      this.#reader = undefined;
      this.#pacer.close();
      this.#close();
      this.#gens.close();
    }
  }

  #watch(): void {
    const hub = this.#opts.watchHub;
    if (!hub) return;
    const onLost = () => {
      // The shared watch died or could not be set: polling alone finds writes now.
      this.#idlePollMs = this.#opts.pollIntervalMs;
      this.#wake();
    };
    // Where inotify sees every write, the poll is a safety net (a lost event): slow it down,
    // so idle streams cost next to nothing. Elsewhere (NFS, Lustre) it is what finds writes.
    if (watchFile(hub, this.path, this.#pacer, () => this.#wake(), onLost)) {
      this.#idlePollMs = Math.max(this.#opts.pollIntervalMs, SAFETY_POLL_MS);
    }
  }

  /** Open the path; false when it does not exist (yet). Refuses what is not a regular file. */
  async #open(): Promise<boolean> {
    const asked = Date.now();
    const opened = await openFollowed(this.path, {
      follow: this.#opts.follow,
      signal: this.#opts.signal,
      onFifo: () =>
        this.#sink!.status({
          state: "waiting",
          message: `waiting for a writer on FIFO "${this.path}"`,
        }),
    });
    if (!opened) return false;
    const { file, fifo } = opened;
    this.#fifo = fifo;
    if (fifo) {
      this.#local = false; // a FIFO read blocks: never synchronously
      this.#file = file;
      return true;
    }
    const fst = await file.stat();
    this.#file = file;
    this.#held.opened(fst, asked);
    this.#gens.seen(fst);
    this.#pos = 0;
    this.#head.reset();
    if (this.#firstOpen && this.#opts.tailLines !== undefined) {
      const { offset, linesBefore } = await tailStart(file, fst.size, this.#opts.tailLines);
      this.#pos = offset;
      this.#splitter = new LineSplitter({
        maxLineBytes: this.#opts.maxLineBytes,
        maxBatchLines: this.#opts.batchLines,
        startOffset: offset,
        firstLine: linesBefore + 1,
        preselect: this.#opts.preselect,
      });
      // The fingerprint is the head as it is now, though we start reading further on.
      await this.#head.capture(file, offset);
      await file.seek(offset, Deno.SeekMode.Start);
    }
    this.#firstOpen = false;
    return true;
  }

  /** Read a generation of the file taken when it rotated (opened already, read from 0). */
  #adopt(gen: Generation): void {
    this.#file = gen.file;
    this.#held.adopted(gen);
    this.#pos = 0;
    this.#head.reset();
  }

  #close(): void {
    if (this.#file) releaseFileFd();
    try {
      this.#file?.close();
    } catch { /* already closed */ }
    this.#file = undefined;
    this.#held.released();
  }

  /** Restart at offset 0 of the same file, which was truncated or rewritten. */
  async #restartFromZero(): Promise<void> {
    // A held tail is the start of a line whose end was cut off with the old content (or went
    // into logrotate's copy): printing it would print half a line. It is dropped, and said so.
    const cut = this.#splitter.pendingBytes;
    this.#pos = 0;
    this.#head.reset();
    await this.#file!.seek(0, Deno.SeekMode.Start);
    this.#splitter.resetOffset(0);
    this.#opts.debug?.(`truncation or rewrite detected on ${this.path}`);
    this.#sink!.status({
      state: "live",
      rewritten: true,
      message: `file "${this.path}" was truncated or rewritten; reading it from the start${
        cut ? ` (the unfinished line it ended with, ${cut} bytes, is dropped)` : ""
      }`,
    });
  }

  /**
   * Read until the end of the file; returns the bytes read, or "rewritten" when the file's
   * head no longer matches its fingerprint (the bytes just read are then dropped unseen).
   */
  async #readToEnd(): Promise<number | "rewritten"> {
    const file = this.#file!;
    const chunk = this.#opts.chunkSize;
    const signal = this.#opts.signal;
    let size = chunk;
    let total = 0;
    while (!signal?.aborted) {
      const view = this.#view(size);
      // Local files are read synchronously: a page-cache copy is cheaper than an async op's
      // round trip through the thread pool, which dominated CPU with many streams.
      const read = this.#local ? file.readSync(view) : await abortable(file.read(view), signal);
      if (read === undefined) break; // aborted during a FIFO read
      const n = read ?? 0;
      if (!this.#fifo && await this.#head.changed(file, this.#pos, n, this.#local)) {
        return "rewritten";
      }
      this.#trouble.cleared("read", this.#live);
      if (n === 0) break;
      this.#head.extend(view, n, this.#pos);
      this.#pos += n;
      total += n;
      // A read holding more than batchLines lines is handed on in several batches.
      // (waiting only for a sink that asks to: a read's batches then follow each other at once)
      for (let b = this.#splitter.commit(n); b; b = this.#splitter.next()) {
        const pending = this.#sink!.batch(b);
        if (pending) await pending;
      }
      // A short read of a regular file is its end: no second read just to be told 0 bytes.
      if (n < view.length) break;
      size = this.#grown(size, chunk);
    }
    this.#caughtUp();
    return total;
  }

  /**
   * A view to read up to `size` bytes into. After a read that ended mid-line (stdio writes 4 KiB
   * blocks) it is shorter by the held bytes, so that it fits the buffer: a full-size view grew
   * the buffer to twice its size and compact() shrank it again, for every read.
   */
  #view(size: number): Uint8Array {
    const held = this.#splitter.pendingBytes;
    return this.#splitter.reserve(held > 0 && held <= size / 2 ? size - held : size);
  }

  /** Caught up: give back a buffer grown for catch-up (matters with many streams). */
  #caughtUp(): void {
    this.#splitter.compact();
    if (this.#opts.progress && this.#sink?.progress) {
      const p = this.#splitter.takeProgress();
      if (p !== undefined) this.#sink.progress(p, this.#splitter.nextLine);
    }
  }

  /**
   * Wait for the scheduler's turns to read the file (after a read that brought `got` bytes)
   * until one hands it back to the loop; rejects with what a turn's read or sink threw.
   */
  #scheduled(got: number): Promise<void> {
    // With nothing at the path, what comes there next is looked for every poll interval, not
    // only on its event: a FIFO made there holds the watcher thread in its open, event unsent.
    const idle = this.#held.gone ? this.#opts.pollIntervalMs : this.#idlePollMs;
    const first = this.#woken ? 0 : this.#pacer.delay(got, idle);
    this.#woken = false;
    return new Promise((resolve, reject) => {
      this.#handBack = { resolve, reject };
      this.#reader = scheduler.add({ turn: () => this.#turn() }, first);
    });
  }

  /** Give the file back to the loop (with the error that made it, if any). */
  #handOff(err?: unknown): number {
    this.#reader?.close();
    this.#reader = undefined;
    const back = this.#handBack;
    this.#handBack = undefined;
    if (err === undefined) back?.resolve();
    else back?.reject(err);
    return Infinity;
  }

  /** A scheduler turn: read to the end, check the path; ms until the next turn. */
  #turn(): number | Promise<number> {
    if (this.#opts.signal?.aborted || this.#finishing || this.#gens.waiting > 0) {
      return this.#handOff();
    }
    try {
      const got = this.#readSync();
      if (typeof got === "number" || got === "slow") return this.#afterRead(got);
      // (a read that filled its buffer reads on at once)
      return got.then((n) => n === "more" ? 0 : this.#afterRead(n), (err) => this.#handOff(err));
    } catch (err) {
      return this.#handOff(err);
    }
  }

  /**
   * Read to the end synchronously: the bytes read; "slow" when the loop must look (the head
   * changed: the descriptor is put back, the loop reads it again and restarts from 0); or, when
   * the sink applies backpressure, a promise for the rest of the read's lines handed on (then
   * the bytes read, or "more" when the read filled its buffer).
   */
  #readSync(): number | "slow" | Promise<number | "more"> {
    const file = this.#file!;
    const chunk = this.#opts.chunkSize;
    let size = chunk;
    let total = 0;
    // A busy file polled on the shared tick finds nothing on most polls: then its size and head
    // are looked at with its path, every IDENTITY_CHECK_MS, not on every empty read.
    const lookLater = this.#pacer.busy && !this.#held.due;
    while (true) {
      const view = this.#view(size);
      const n = file.readSync(view) ?? 0;
      if (n === 0 && lookLater) break;
      if (this.#head.changedSync(file, this.#pos, n)) {
        file.seekSync(this.#pos, Deno.SeekMode.Start);
        return "slow";
      }
      this.#trouble.cleared("read", this.#live);
      if (n === 0) break;
      this.#head.extend(view, n, this.#pos);
      this.#pos += n;
      total += n;
      for (let b = this.#splitter.commit(n); b; b = this.#splitter.next()) {
        const pending = this.#sink!.batch(b);
        if (pending) return this.#emitRest(pending, n < view.length ? total : "more");
      }
      if (n < view.length) break;
      size = this.#grown(size, chunk);
    }
    this.#caughtUp();
    return total;
  }

  /**
   * The next read size after a full read (we are behind, catching up): double it, up to
   * catchUpBytes (by default below V8's large-object size for the text it becomes:
   * MAX_CATCH_UP_READ), never below the configured chunk.
   */
  #grown(size: number, chunk: number): number {
    return Math.max(
      chunk,
      Math.min(size * 2, this.#opts.catchUpBytes - this.#splitter.pendingBytes),
    );
  }

  async #emitRest<T>(pending: Promise<void>, then: T): Promise<T> {
    await pending;
    for (let b = this.#splitter.next(); b; b = this.#splitter.next()) await this.#emit(b);
    if (then !== "more") this.#caughtUp();
    return then;
  }

  /** After a turn's read: hand back on a change of the path, else ms until the next turn. */
  #afterRead(got: number | "slow"): number {
    if (got === "slow" || this.#opts.signal?.aborted || this.#finishing) return this.#handOff();
    if ((got === 0 && !this.#pacer.busy) || this.#held.due) {
      const found = this.#held.checkSync(
        this.#pacer.busy,
        this.#pos,
        () => this.#trouble.cleared("check", this.#live),
      );
      if (found === "other") return this.#handOff(); // the loop's check tells what happened
      if (found === "grew") return 0; // grew meanwhile
    }
    return this.#pacer.delay(got, this.#idlePollMs);
  }

  async #emit(batch: ReturnType<LineSplitter["flush"]>): Promise<void> {
    if (batch) await this.#sink!.batch(batch);
  }

  /**
   * Compare the path's file with the one we hold: rotated (another file is there now; every
   * generation since ours was opened, and ours read to its end), grew or same.
   */
  async #checkPath(): Promise<"same" | "grew" | "rotated"> {
    // Taken before the stat: if it finds our file at the path, it was there at this time or later.
    const asked = this.#held.checking();
    let st: Deno.FileInfo;
    try {
      st = this.#local ? Deno.statSync(this.path) : await Deno.stat(this.path);
    } catch (err) {
      // Moved away and not recreated yet: keep reading the old one (or what was taken since).
      if (err instanceof Deno.errors.NotFound) {
        this.#held.gone = true;
        return this.#gens.waiting > 0 ? await this.#drained() : "same";
      }
      // Permission changed, stale NFS handle…: say so and keep trying; never call it "same".
      await this.#troubled(err, "check");
      return "same";
    }
    this.#trouble.cleared("check", this.#live);
    this.#held.gone = false;
    if (this.#held.isOther(st)) {
      // Take every generation born since ours before reading on: once opened, a generation is
      // held however it is renamed next. Then drain what the writer added to ours.
      const held = this.#held;
      const { oldest, settled } = await this.#gens.collect({
        ino: held.ino!,
        birth: held.birth,
        lastSeenAtPath: held.seenAtPath,
      });
      // Names shifting through every look (a burst of rotations) and nothing taken: ours is
      // read on, and the path looked at again at the next wake (inotify's, else the poll's).
      // Moving to the path's file now would skip the generations between.
      if (!settled && this.#gens.waiting === 0) {
        this.#opts.debug?.(`rotation on ${this.path}: names still shifting, looking again`);
        if (!this.#finishing) {
          // Not silently: a stream that stops moving while its file rotates says why, once.
          if (++this.#shifting === SHIFTING_LOOKS) {
            this.#sink!.status({
              state: "live",
              message: rotationStillShifting(this.path, SHIFTING_LOOKS),
            });
          }
          return "same";
        }
        // Finishing, the loop ends at "same": read on and look again (the job's writer is done,
        // its last rotation with it), up to FINISH_LOOKS times; then say what is left unread.
        if (++this.#unsettled <= FINISH_LOOKS) return "grew";
        this.#sink!.status({ state: "live", message: rotationUnderWay(this.path) });
        return "same";
      }
      this.#unsettled = 0;
      this.#shifting = 0;
      // Ours deleted already and later generations found: the rotation went past ours, so any
      // generation between ours and the oldest still there may have been deleted unread.
      const ours = this.#local ? this.#file!.statSync() : await this.#file!.stat();
      if (oldest !== undefined && ours.nlink === 0) {
        this.#sink!.status({ state: "live", message: rotatedPast(this.path, oldest) });
      }
      for (const u of this.#gens.takeUnreadable()) {
        this.#sink!.status({ state: "live", message: unreadableGeneration(this.path, u) });
      }
      return await this.#drained();
    }
    this.#held.seen(asked);
    return st.size > this.#pos ? "grew" : "same";
  }

  /** Read the file being left to its end (what its writer added last), then say "rotated". */
  async #drained(): Promise<"rotated"> {
    // Truncated before it was moved away (copytruncate, then a rotation): what it holds since
    // is read too, from its start.
    for (let i = 0; i < 3 && await this.#readToEnd() === "rewritten"; i++) {
      await this.#restartFromZero();
    }
    return "rotated";
  }

  /** A status message saying the file is back (after trouble). */
  #live = (message: string): void => this.#sink!.status({ state: "live", message });

  /** The file cannot be read or checked: report it, then wait a poll interval to retry. */
  async #troubled(err: unknown, what: "read" | "check"): Promise<void> {
    this.#trouble.report(
      err,
      what,
      (message) => this.#sink!.status({ state: "retrying", message }),
    );
    await this.#waker.wait(this.#opts.pollIntervalMs);
  }
}

export { tailStart } from "./tail_start.ts";
