/**
 * The worker side of the interrupt watchdog (see interrupt_watchdog.ts): it runs in the helper
 * worker (helper_worker.ts), whose own event loop turns while the main thread's does not. Told
 * to arm, it listens for SIGINT and SIGTERM; when the main thread does not acknowledge one
 * within the grace time, it restores the terminal and ends the process with exit code 130 via
 * libc's `_exit` (Deno.exit in a worker ends only the worker).
 * @module
 */

/** What the main thread tells the watchdog. */
export type WatchdogMessage =
  | { watchdog: "arm"; graceMs: number; alt: boolean }
  | { watchdog: "ack" }
  | { watchdog: "alt"; on: boolean };

/** Whether a message is the watchdog's. */
export function isWatchdogMessage(m: unknown): m is WatchdogMessage {
  return typeof (m as { watchdog?: unknown } | null)?.watchdog === "string";
}

let armed = false;
let pending = false;
let alt = false;
let graceMs = 700;

/** Handle one of the watchdog's messages (in the helper worker). */
export function watchdogMessage(m: WatchdogMessage): void {
  switch (m.watchdog) {
    case "ack":
      pending = false;
      break;
    case "alt":
      alt = m.on;
      break;
    case "arm":
      alt = m.alt;
      graceMs = m.graceMs;
      if (armed) return;
      armed = true;
      Deno.addSignalListener("SIGINT", onSignal);
      Deno.addSignalListener("SIGTERM", onSignal);
  }
}

function onSignal(): void {
  if (pending) return;
  pending = true;
  setTimeout(() => {
    if (pending) hardExit();
  }, graceMs);
}

/** The main thread did not answer: leave the terminal usable and end the process. */
function hardExit(): never | void {
  const enc = new TextEncoder();
  try {
    if (Deno.stdout.isTerminal()) {
      Deno.stdout.writeSync(enc.encode((alt ? "\x1b[?1049l" : "") + "\x1b[0m\x1b[?25h"));
    }
  } catch { /* best effort */ }
  const lib = Deno.dlopen("libc.so.6", {
    _exit: { parameters: ["i32"], result: "void" },
    tcgetattr: { parameters: ["i32", "buffer"], result: "i32" },
    tcsetattr: { parameters: ["i32", "i32", "buffer"], result: "i32" },
  });
  try {
    // Cooked mode again (the raw mode the main thread set is not this worker's to undo with
    // setRaw): line editing, echo, signals, CR to NL, output processing; Ctrl+\ and Ctrl+Z.
    const t = new Uint8Array(60);
    if (Deno.stdin.isTerminal() && lib.symbols.tcgetattr(0, t) === 0) {
      const v = new DataView(t.buffer);
      v.setUint32(0, v.getUint32(0, true) | 0o400 | 0o2000, true);
      v.setUint32(4, v.getUint32(4, true) | 0o1 | 0o4, true);
      v.setUint32(
        12,
        v.getUint32(12, true) | 0o1 | 0o2 | 0o10 | 0o20 | 0o40 | 0o1000 | 0o4000 | 0o100000,
        true,
      );
      t[17 + 1] = 0x1c;
      t[17 + 10] = 0x1a;
      lib.symbols.tcsetattr(0, 0, t);
    }
  } catch { /* best effort */ }
  try {
    Deno.stderr.writeSync(enc.encode("s9s: interrupted (a regular expression kept s9s busy)\n"));
  } catch { /* stderr closed */ }
  lib.symbols._exit(130);
}
