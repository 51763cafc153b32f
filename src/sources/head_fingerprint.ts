/**
 * The fingerprint of a followed file: its first bytes (up to 4 KB) as they were read from
 * offset 0. Read again through the descriptor already held and compared, it tells a file that was
 * truncated or rewritten (even to the same length, or longer than before) from one that grew.
 * @module
 */
import { readFull, readFullSync } from "./tail_start.ts";

/** Bytes of the file's head kept as its fingerprint. */
export const HEAD_MAX = 4096;

/**
 * Whether `a` and `b` (same length, both starting at offset 0 of their buffers, a multiple of 4
 * bytes long) hold the same bytes: four at a time, through word views of them, as this runs
 * after every read of every followed file.
 */
function sameBytes(a: Uint8Array, b: Uint8Array, a32: Uint32Array, b32: Uint32Array): boolean {
  const words = a.length >>> 2;
  for (let i = 0; i < words; i++) if (a32[i] !== b32[i]) return false;
  for (let i = words << 2; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A file's first bytes as read, and the check of them against the file as it is now. */
export class HeadFingerprint {
  #head: Uint8Array = new Uint8Array(0);
  #head32: Uint32Array = new Uint32Array(0); // word view of #head (made when it grows, not per check)
  #scratch?: Uint8Array;
  #scratch32?: Uint32Array;

  /** Bytes held (at most {@link HEAD_MAX}). */
  get length(): number {
    return this.#head.length;
  }

  /** Forget the fingerprint (the file is read from 0 again). */
  reset(): void {
    this.#setHead(new Uint8Array(0));
  }

  #setHead(head: Uint8Array): void {
    this.#head = head;
    this.#head32 = new Uint32Array(head.buffer, head.byteOffset, head.length >>> 2);
  }

  /** Take the head of `file` as it is now, up to `upTo` bytes (reading starts further on). */
  async capture(file: Deno.FsFile, upTo: number): Promise<void> {
    const head = new Uint8Array(Math.min(upTo, HEAD_MAX));
    await file.seek(0, Deno.SeekMode.Start);
    this.#setHead(head.subarray(0, await readFull(file, head)));
  }

  /** Grow the fingerprint with `n` bytes of `view`, just read at offset `pos`. */
  extend(view: Uint8Array, n: number, pos: number): void {
    if (pos >= HEAD_MAX || pos !== this.#head.length) return;
    const add = view.subarray(0, Math.min(n, HEAD_MAX - pos));
    const head = new Uint8Array(this.#head.length + add.length);
    head.set(this.#head);
    head.set(add, this.#head.length);
    this.#setHead(head);
  }

  /**
   * Was `file` truncated or rewritten? Asked after a read of `n` bytes at `pos`, before they are
   * trusted: a size below the position (on a read that found nothing), or a head that no longer
   * matches the fingerprint. The descriptor is put back where the read left it.
   */
  async changed(file: Deno.FsFile, pos: number, n: number, sync: boolean): Promise<boolean> {
    if (n === 0) {
      const st = sync ? file.statSync() : await file.stat();
      if (st.size < pos) return true;
    }
    return !(await this.matches(file, pos + n, sync));
  }

  /** {@link changed} for a local file, synchronously. */
  changedSync(file: Deno.FsFile, pos: number, n: number): boolean {
    if (n === 0 && file.statSync().size < pos) return true;
    return !this.#matchesSync(file, pos + n);
  }

  /**
   * Does `file` still start with the fingerprint? The head is read again through the same
   * descriptor (synchronously for a local file), which is then put back at `resumeAt`.
   */
  async matches(file: Deno.FsFile, resumeAt: number, sync: boolean): Promise<boolean> {
    if (sync) return this.#matchesSync(file, resumeAt);
    const len = this.#head.length;
    if (len === 0) return true;
    const cur = this.#cur(len);
    await file.seek(0, Deno.SeekMode.Start);
    const got = await readFull(file, cur);
    await file.seek(resumeAt, Deno.SeekMode.Start);
    return got === len && sameBytes(cur, this.#head, this.#scratch32!, this.#head32);
  }

  #matchesSync(file: Deno.FsFile, resumeAt: number): boolean {
    const len = this.#head.length;
    if (len === 0) return true;
    const cur = this.#cur(len);
    file.seekSync(0, Deno.SeekMode.Start);
    const got = readFullSync(file, cur);
    file.seekSync(resumeAt, Deno.SeekMode.Start);
    return got === len && sameBytes(cur, this.#head, this.#scratch32!, this.#head32);
  }

  #cur(len: number): Uint8Array {
    if (!this.#scratch) {
      this.#scratch = new Uint8Array(HEAD_MAX);
      this.#scratch32 = new Uint32Array(this.#scratch.buffer);
    }
    return this.#scratch.subarray(0, len);
  }
}
