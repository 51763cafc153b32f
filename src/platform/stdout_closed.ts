/**
 * Notice at once that the reader of stdout went away. A closed pipe is normally seen only at the
 * next write (EPIPE): `s9s stream … | head -1` on a quiet file would wait for the file's next line
 * to end. GNU tail polls stdout for POLLERR; so does this, in a runtime thread (libc's `poll`
 * through FFI, a call that blocks off the main thread), only when stdout is a pipe or a socket.
 * @module
 */

/** poll(2)'s revents bits that mean the other end is gone. */
const POLLERR = 0x8;
const POLLHUP = 0x10;
/** Each poll waits at most this long, so that a stopped watch ends its thread soon, ms. */
const POLL_MS = 1000;

/** Whether stdout is a pipe or a socket (a file or a terminal has no reader to lose). */
function stdoutIsPipe(): boolean {
  try {
    const st = Deno.statSync("/proc/self/fd/1");
    return st.isFifo === true || st.isSocket === true;
  } catch {
    return false;
  }
}

/**
 * Call `onClosed` once when stdout's reader has gone; returns a stop function. Does nothing where
 * it cannot tell (not Linux, no FFI permission, stdout not a pipe).
 */
export function watchStdoutClosed(onClosed: () => void): () => void {
  if (Deno.build.os !== "linux" || !stdoutIsPipe()) return () => {};
  let lib;
  try {
    lib = Deno.dlopen("libc.so.6", {
      poll: { parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
    });
  } catch {
    return () => {};
  }
  const poll = lib.symbols.poll;
  let stopped = false;
  // struct pollfd { int fd; short events; short revents; }: fd 1, no events asked for (errors
  // and hang-ups are always reported).
  const fds = new Uint8Array(8);
  const view = new DataView(fds.buffer);
  view.setInt32(0, 1, true);
  (async () => {
    while (!stopped) {
      const n = await poll(fds, 1n, POLL_MS);
      if (stopped) break;
      if (n > 0 && (view.getInt16(6, true) & (POLLERR | POLLHUP)) !== 0) {
        onClosed();
        break;
      }
      if (n < 0) break; // poll itself failed: the next write will tell
    }
  })().catch(() => {});
  return () => {
    stopped = true;
  };
}
