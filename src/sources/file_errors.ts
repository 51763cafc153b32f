/**
 * The errors of a followed file a user can act on: permission, a directory, not a regular file,
 * out of descriptors.
 * @module
 */
import { UserFacingError } from "../errors.ts";
import { fdLimitError } from "../platform/rlimit.ts";

/** Is this error "out of file descriptors"? */
function isFdExhausted(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === "EMFILE" || code === "ENFILE";
}

/** The error for a followed file that could not be opened or checked. */
export function openError(path: string, err: unknown): Error {
  if (err instanceof Deno.errors.PermissionDenied) {
    return new UserFacingError(`permission denied reading "${path}"`, {
      hint:
        "the file belongs to another user or its directory is not readable; check `ls -l` on it",
      cause: err,
    });
  }
  if (err instanceof Deno.errors.IsADirectory) {
    return new UserFacingError(`"${path}" is a directory, not an output file`, {
      hint: "give the file itself with --path",
    });
  }
  if (isFdExhausted(err)) return fdLimitError(path, err);
  return err as Error;
}

/** The error for a path that is not a regular file (a device, a socket, a FIFO without follow). */
export function notRegularError(path: string, st: Deno.FileInfo): UserFacingError {
  const what = st.isFifo
    ? "a FIFO (named pipe)"
    : st.isCharDevice
    ? "a character device"
    : st.isBlockDevice
    ? "a block device"
    : st.isSocket
    ? "a socket"
    : "not a regular file";
  return new UserFacingError(`"${path}" is ${what}, not a regular output file`, {
    hint: st.isFifo
      ? "without --no-follow s9s waits for a writer on a FIFO and reads it until it closes"
      : "s9s follows regular files; copy the data to a file first",
  });
}

/**
 * A followed file that cannot be read or checked for a while (permission changed, a stale NFS
 * handle): each distinct error is reported once, the recovery once, and the stream ends in an
 * error once the trouble has lasted `errorAfterMs`.
 */
export class FileTrouble {
  #since = 0;
  #message = "";
  #kind: "read" | "check" | "" = "";

  constructor(readonly path: string, readonly errorAfterMs: number) {}

  /** Report `err` (once per distinct reason) through `status`; throws once it lasted too long. */
  report(err: unknown, what: "read" | "check", status: (message: string) => void): void {
    const reason = (err as Error)?.message ?? String(err);
    const now = Date.now();
    if (this.#since === 0) this.#since = now;
    this.#kind = what;
    if (reason !== this.#message) {
      this.#message = reason;
      status(`cannot ${what} "${this.path}": ${reason}; retrying`);
    }
    if (now - this.#since >= this.errorAfterMs) {
      throw new UserFacingError(`cannot ${what} "${this.path}": ${reason}`, {
        hint:
          "check the file's permissions and its filesystem (a stale NFS handle needs a remount)",
        cause: err,
      });
    }
  }

  /** The file answered again after trouble of kind `what`: `status` says so, once. */
  cleared(what: "read" | "check", status: (message: string) => void): void {
    if (this.#since === 0 || this.#kind !== what) return;
    this.#since = 0;
    this.#kind = "";
    this.#message = "";
    status(`"${this.path}" can be read again`);
  }
}
