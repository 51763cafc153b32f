/**
 * A buffer's spill file: compressed chunks (complete gzip members) appended one after another,
 * so the file is a valid gzip file. Read back by offset. Removed when the buffer is closed.
 * @module
 */
import { dirname } from "../platform/posix_path.ts";
import { writeAllSync } from "../platform/write_all.ts";

/** Where a chunk lives in a spill file. */
export interface SpillRef {
  offset: number;
  length: number;
}

/** An append-only file of gzip members. */
export class SpillFile {
  readonly path: string;
  #file?: Deno.FsFile;
  #size = 0;

  constructor(path: string) {
    this.path = path;
  }

  /** Append bytes (one write); throws when the disk refuses. */
  append(bytes: Uint8Array): SpillRef {
    if (!this.#file) {
      Deno.mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      this.#file = Deno.openSync(this.path, {
        write: true,
        create: true,
        truncate: true,
        mode: 0o600,
      });
    }
    writeAllSync(this.#file, bytes);
    const ref = { offset: this.#size, length: bytes.length };
    this.#size += bytes.length;
    return ref;
  }

  /** Bytes written so far. */
  get size(): number {
    return this.#size;
  }

  /** Read one chunk back. */
  async read(ref: SpillRef): Promise<Uint8Array> {
    const f = await Deno.open(this.path, { read: true });
    try {
      await f.seek(ref.offset, Deno.SeekMode.Start);
      const out = new Uint8Array(ref.length);
      let got = 0;
      while (got < ref.length) {
        const n = await f.read(out.subarray(got));
        if (n === null) throw new Error(`spill file "${this.path}" is shorter than expected`);
        got += n;
      }
      return out;
    } finally {
      f.close();
    }
  }

  /** Read one chunk back, synchronously (a user scrolling back waits for it anyway). */
  readSync(ref: SpillRef): Uint8Array {
    const f = Deno.openSync(this.path, { read: true });
    try {
      f.seekSync(ref.offset, Deno.SeekMode.Start);
      const out = new Uint8Array(ref.length);
      let got = 0;
      while (got < ref.length) {
        const n = f.readSync(out.subarray(got));
        if (n === null) throw new Error(`spill file "${this.path}" is shorter than expected`);
        got += n;
      }
      return out;
    } finally {
      f.close();
    }
  }

  /** Close and delete the file. */
  remove(): void {
    try {
      this.#file?.close();
    } catch { /* already closed */ }
    this.#file = undefined;
    this.#size = 0;
    try {
      Deno.removeSync(this.path);
    } catch { /* never created, or already gone */ }
  }
}
