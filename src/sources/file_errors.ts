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
