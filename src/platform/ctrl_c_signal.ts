/**
 * Ctrl+C as SIGINT in the terminal UI. In raw mode Ctrl+C is a key (byte 3) that the UI reads
 * between its other work; while a regular expression keeps JavaScript busy (a back-reference or
 * lookaround V8's linear engine cannot take), no key is read and Ctrl+C did nothing. With the
 * terminal's ISIG flag on, the terminal turns Ctrl+C into SIGINT, which the UI handles as quit and
 * the interrupt watchdog (another thread) acts on if the UI does not. Only Ctrl+C: the quit and
 * suspend characters (Ctrl+\, Ctrl+Z) are switched off, so they stay plain keys.
 * @module
 */

/** Offsets in Linux's struct termios (c_iflag, c_oflag, c_cflag, c_lflag, c_line, c_cc[32]). */
const LFLAG = 12;
const CC = 17;
const ISIG = 0o1;
const VINTR = 0;
const VQUIT = 1;
const VSUSP = 10;
/** sizeof(struct termios) on Linux (with c_ispeed and c_ospeed). */
const TERMIOS_BYTES = 60;

/**
 * Make Ctrl+C on the terminal at stdin raise SIGINT (Linux; nothing elsewhere or without FFI).
 * Call after the terminal was put in raw mode; leaving raw mode restores the saved settings.
 */
export function ctrlCRaisesSigint(): void {
  if (Deno.build.os !== "linux") return;
  try {
    const lib = Deno.dlopen("libc.so.6", {
      tcgetattr: { parameters: ["i32", "buffer"], result: "i32" },
      tcsetattr: { parameters: ["i32", "i32", "buffer"], result: "i32" },
    });
    try {
      const t = new Uint8Array(TERMIOS_BYTES);
      if (lib.symbols.tcgetattr(0, t) !== 0) return;
      const view = new DataView(t.buffer);
      view.setUint32(LFLAG, view.getUint32(LFLAG, true) | ISIG, true);
      t[CC + VINTR] = 3; // Ctrl+C
      t[CC + VQUIT] = 0; // _POSIX_VDISABLE: Ctrl+\ stays a key
      t[CC + VSUSP] = 0; // Ctrl+Z stays a key
      lib.symbols.tcsetattr(0, 0, /* TCSANOW */ t);
    } finally {
      lib.close();
    }
  } catch { /* no FFI here: Ctrl+C stays a key */ }
}
