/**
 * Promises over ssh2's SFTP session: the few calls a follower needs (open, fstat, read at an
 * offset, close). Many files share one session; each request carries its own id.
 * @module
 */
import { Buffer } from "node:buffer";

/** An SFTP error with its status code (2 = no such file, 3 = permission denied). */
export interface SftpError extends Error {
  code?: number | string;
}

/** SFTP status codes s9s acts on. */
export const SFTP_NO_SUCH_FILE = 2;
/** SFTP status codes s9s acts on. */
export const SFTP_PERMISSION_DENIED = 3;

interface RawSftp {
  open(path: string, flags: string, cb: (err: SftpError | undefined, h: Uint8Array) => void): void;
  fstat(h: Uint8Array, cb: (err: SftpError | undefined, st: { size: number }) => void): void;
  read(
    h: Uint8Array,
    buf: Uint8Array,
    off: number,
    len: number,
    pos: number,
    cb: (err: SftpError | undefined, n: number) => void,
  ): void;
  close(h: Uint8Array, cb: (err: SftpError | undefined) => void): void;
  on(event: string, cb: (...a: unknown[]) => void): void;
  end(): void;
}

/** An open remote file. */
export type SftpHandle = Uint8Array;

/** One SFTP session. */
export class Sftp {
  #raw: RawSftp;
  #closed = false;
  #handles = 0;
  /** Told when the last open file is closed (the pool's idle-connection accounting). */
  onIdle?: () => void;

  constructor(raw: unknown, onClose: () => void) {
    this.#raw = raw as RawSftp;
    this.#raw.on("close", () => {
      this.#closed = true;
      onClose();
    });
  }

  /** Whether the session (or its connection) has closed. */
  get closed(): boolean {
    return this.#closed;
  }

  #call<T>(fn: (cb: (err: SftpError | undefined, v: T) => void) => void): Promise<T> {
    if (this.#closed) return Promise.reject(new Error("the SFTP session has closed"));
    return new Promise((resolve, reject) => {
      try {
        fn((err, v) => (err ? reject(err) : resolve(v)));
      } catch (err) {
        reject(err);
      }
    });
  }

  /** Files open now. */
  get openFiles(): number {
    return this.#handles;
  }

  /** Open a file for reading. */
  async open(path: string): Promise<SftpHandle> {
    const h = await this.#call<SftpHandle>((cb) => this.#raw.open(path, "r", cb));
    this.#handles++;
    return h;
  }

  /** The current size of an open file. */
  async size(h: SftpHandle): Promise<number> {
    return (await this.#call<{ size: number }>((cb) => this.#raw.fstat(h, cb))).size;
  }

  /**
   * Read up to `into.length` bytes at `pos` straight into `into` (no buffer of its own, no copy
   * after); resolves with the count, fewer at the end of the file, 0 past it. `into` must stay
   * untouched until then: ssh2 writes into it when the reply comes.
   */
  readInto(h: SftpHandle, pos: number, into: Uint8Array): Promise<number> {
    // ssh2 insists on a Buffer: a Buffer view of the same memory, not a copy.
    const buf = Buffer.from(into.buffer, into.byteOffset, into.length);
    return this.#call<number>((cb) => this.#raw.read(h, buf, 0, buf.length, pos, cb))
      .catch((err: SftpError) => {
        if (err.code === 1) return 0; // EOF
        throw err;
      });
  }

  /** Close a handle (errors ignored: the session may be gone). */
  async close(h: SftpHandle): Promise<void> {
    await this.#call<void>((cb) => this.#raw.close(h, cb)).catch(() => {});
    if (--this.#handles === 0) this.onIdle?.();
  }
}
