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
/** Bytes {@link serialOut} encodes at a time. */
const SCRATCH_BYTES = 256 * 1024;

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

/** Something that takes text. */
export interface TextOut {
  write(text: string): Promise<void>;
}

/**
 * A {@link TextOut} whose writes never interleave. Texts written while a write is in flight are
 * joined and go out in one write after it (under load, many streams' small batches become one
 * syscall); each promise resolves once its text is written.
 */
export function serialOut(w: ByteWriter, name?: string): TextOut {
  let queued = "";
  let waiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  let busy = false;
  // One buffer, encoded into and written piece by piece: writes never overlap, so it is free
  // again when the next text comes. encode() allocated a new array per write, and with the
  // garbage it made cost ~10× encodeInto() here (40 MB of log lines: ~150 ms vs ~15 ms).
  let scratch: Uint8Array | undefined;
  const pump = async () => {
    busy = true;
    while (waiters.length > 0) {
      const text = queued;
      const batch = waiters;
      queued = "";
      waiters = [];
      try {
        await writeText(w, text, scratch ??= new Uint8Array(SCRATCH_BYTES));
        for (const x of batch) x.resolve();
      } catch (caught) {
        // Named, a failed write says which output failed (a closed pipe stays BrokenPipe).
        const err = name && !(caught instanceof BrokenPipe)
          ? new OutputError(name, caught)
          : caught;
        for (const x of batch) x.reject(err);
      }
    }
    busy = false;
  };
  return {
    write(text: string) {
      return new Promise<void>((resolve, reject) => {
        queued += text;
        waiters.push({ resolve, reject });
        if (!busy) void pump();
      });
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
export function guardedOut(out: TextOut, ends: OutputEnds): TextOut {
  let over = false;
  return {
    async write(text: string) {
      if (over) return;
      try {
        await out.write(text);
      } catch (err) {
        if (over) return;
        over = true;
        if (err instanceof BrokenPipe) ends.onClosed();
        else ends.onFailed(err);
      }
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
