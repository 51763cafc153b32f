/**
 * Text writers for sinks: a serial writer that joins what queues up into one write, and a
 * wrapper that treats a closed pipe (`| head`) as the normal end of output. Sinks are given a
 * {@link TextOut} in their options; the CLI makes the ones for stdout and stderr.
 * @module
 */
import { type ByteWriter, writeAll } from "../platform/write_all.ts";
import { UserFacingError } from "../errors.ts";
import { osReason } from "../platform/os_reason.ts";

const enc = new TextEncoder();
/** Bytes {@link serialOut} encodes at a time, at most. */
const SCRATCH_BYTES = 256 * 1024;
/**
 * Its first size: a short run writes a few KB, and 256 KB made at once is zeroed memory touched
 * for nothing (≈ 60 page faults, ≈ 0.7 ms of start-up on a VM where a fault costs ≈ 12 µs).
 */
const FIRST_SCRATCH_BYTES = 16 * 1024;

/** Thrown when the reader of our output went away. */
export class BrokenPipe extends Error {
  constructor() {
    super("output closed");
    this.name = "BrokenPipe";
  }
}

/**
 * Our own output could not be written (a full disk, an I/O error): the command ends with exit 1
 * and this one line, as `cat` and `tail` do. The message names the output, never an input.
 */
export class OutputError extends UserFacingError {
  constructor(what: string, cause: unknown) {
    super(`cannot write to ${what}: ${osReason(cause)}`, { cause });
    this.name = "OutputError";
  }
}

/**
 * Write all of `text` to a writer; a closed pipe becomes {@link BrokenPipe}. With `scratch`, the
 * text is encoded into it piece by piece (no new array per write) instead of all at once.
 */
export async function writeText(w: ByteWriter, text: string, scratch?: Uint8Array): Promise<void> {
  try {
    if (!scratch) return await writeAll(w, enc.encode(text));
    let pos = 0;
    while (pos < text.length) {
      // encodeInto never splits a character: `read` stops before one that does not fit.
      const { read, written } = enc.encodeInto(pos ? text.slice(pos) : text, scratch);
      await writeAll(w, scratch.subarray(0, written));
      pos += read;
    }
  } catch (err) {
    if (err instanceof Deno.errors.BrokenPipe) throw new BrokenPipe();
    throw err;
  }
}

/**
 * Write `parts` one after the other, encoded into `scratch` and written whenever it is full: no
 * joined string (queued texts joined with `+=` were flattened into one copy before encoding; past
 * 128 KiB a turn that copy went to V8's large-object space and cost a major GC's work).
 */
async function writeParts(w: ByteWriter, parts: string[], scratch: Uint8Array): Promise<void> {
  let used = 0;
  try {
    for (const part of parts) {
      let pos = 0;
      while (pos < part.length) {
        // encodeInto never splits a character: `read` stops before one that does not fit.
        const { read, written } = enc.encodeInto(
          pos ? part.slice(pos) : part,
          scratch.subarray(used),
        );
        used += written;
        pos += read;
        // Full (or too full for the next character): out with it.
        if (pos < part.length || scratch.length - used < 4) {
          await writeAll(w, scratch.subarray(0, used));
          used = 0;
        }
      }
    }
    if (used > 0) await writeAll(w, scratch.subarray(0, used));
  } catch (err) {
    if (err instanceof Deno.errors.BrokenPipe) throw new BrokenPipe();
    throw err;
  }
}

/**
 * The scratch buffer for a round of `chars` UTF-16 units: the one there is, or a larger one
 * (powers of two up to SCRATCH_BYTES) once a round's text no longer fits it in one piece.
 */
function scratchFor(scratch: Uint8Array | undefined, chars: number): Uint8Array {
  const want = Math.min(SCRATCH_BYTES, chars * 3);
  if (scratch && scratch.length >= want) return scratch;
  let size = scratch ? scratch.length * 2 : FIRST_SCRATCH_BYTES;
  while (size < want) size *= 2;
  return new Uint8Array(size);
}

/** Something that takes text. */
export interface TextOut {
  /** Queue `text`; the promise resolves once it is written. */
  write(text: string): Promise<void>;
  /**
   * Characters taken and not written yet, told only by an out whose writes never reject (its
   * failures go to its owner, as {@link guardedOut}'s do): below {@link HIGH_WATER_CHARS}, a
   * writer goes on without waiting for its text (see {@link offer}).
   */
  readonly unwritten?: number;
}

/**
 * Characters an out may hold unwritten before its writers wait: enough for every stream's lines
 * of a busy turn to go out in one write, little enough to bound memory when the reader of our
 * output is slower than the files.
 */
export const HIGH_WATER_CHARS = 1 << 20;

/**
 * Hand `text` to `out`: undefined when the writer may go on at once (the out takes failures
 * itself and holds less than {@link HIGH_WATER_CHARS}), else the promise to wait for
 * (backpressure). A source's batch then costs no promise chain while output keeps up.
 */
export function offer(out: TextOut, text: string): Promise<void> | undefined {
  const written = out.write(text);
  const held = out.unwritten;
  return held !== undefined && held < HIGH_WATER_CHARS ? undefined : written;
}

/** A {@link serialOut}: also tells how much it holds. */
export interface SerialOut extends TextOut {
  /** Characters queued or being written. */
  readonly backlog: number;
}

/**
 * A {@link TextOut} whose writes never interleave. Texts written in the same turn of the event
 * loop, or while a write is in flight, are joined and go out in one write (many streams' small
 * batches become one syscall); they share one promise, which resolves once they are written.
 */
export function serialOut(w: ByteWriter, name?: string): SerialOut {
  let queued: string[] = [];
  let queuedChars = 0;
  let round: PromiseWithResolvers<void> | undefined; // the queued texts' promise
  let inFlight = 0; // characters being written
  let busy = false;
  // One buffer, encoded into and written piece by piece: writes never overlap, so it is free
  // again when the next text comes. encode() allocated a new array per write, and with the
  // garbage it made cost ~10× encodeInto() here (40 MB of log lines: ~150 ms vs ~15 ms).
  let scratch: Uint8Array | undefined;
  const pump = async () => {
    while (round) {
      const parts = queued;
      const done = round;
      inFlight = queuedChars;
      queued = [];
      queuedChars = 0;
      round = undefined;
      try {
        scratch = scratchFor(scratch, inFlight);
        await writeParts(w, parts, scratch);
        done.resolve();
      } catch (caught) {
        // Named, a failed write says which output failed (a closed pipe stays BrokenPipe).
        done.reject(
          name && !(caught instanceof BrokenPipe) ? new OutputError(name, caught) : caught,
        );
      }
      inFlight = 0;
    }
    busy = false;
  };
  return {
    get backlog() {
      return queuedChars + inFlight;
    },
    write(text: string) {
      if (text) {
        queued.push(text);
        queuedChars += text.length;
      }
      round ??= Promise.withResolvers<void>();
      // The first text waits for the microtasks queued before it: whatever else the current
      // turn writes (every stream read in it) joins it, and the turn is one write.
      if (!busy) {
        busy = true;
        queueMicrotask(() => void pump());
      }
      return round.promise;
    },
  };
}

/** What {@link guardedOut} calls when its output ends. */
export interface OutputEnds {
  /** The reader went away (a closed pipe): output ends quietly, as `tail` or `grep` end. */
  onClosed: () => void;
  /** A write failed otherwise (a full disk): the command must end with this error. */
  onFailed: (err: unknown) => void;
}

/**
 * `out` for data: the first failed write is handed to `ends` (once) instead of to the writer's
 * caller, which is a source reading a file (the error is the output's, not the input's), and
 * later writes succeed without writing while the command ends.
 */
export function guardedOut(
  out: TextOut & { readonly backlog?: number },
  ends: OutputEnds,
): TextOut {
  let over = false;
  // Until a first write went out, writers wait for theirs: an output that cannot be written at
  // all (/dev/full, a closed pipe) is known before a source reads on.
  let wrote = false;
  // Texts that share the inner out's promise share one guarded promise too.
  let inner: Promise<void> | undefined;
  let guarded: Promise<void> = Promise.resolve();
  const done = Promise.resolve();
  return {
    get unwritten() {
      return over ? 0 : wrote ? out.backlog : undefined;
    },
    write(text: string) {
      if (over) return done;
      const p = out.write(text);
      if (p === inner) return guarded;
      inner = p;
      guarded = p.then(() => {
        wrote = true;
      }, (err) => {
        if (over) return;
        over = true;
        if (err instanceof BrokenPipe) ends.onClosed();
        else ends.onFailed(err);
      });
      return guarded;
    },
  };
}

/**
 * `out` for status and warnings: best effort. A write that fails (stderr on a full disk, closed)
 * is dropped, so that losing a warning never stops the data.
 */
export function bestEffortOut(out: TextOut): TextOut {
  return { write: (text: string) => out.write(text).catch(() => {}) };
}
