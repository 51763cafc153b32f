/**
 * Ctrl+C that works while JavaScript is busy. s9s handles SIGINT in JavaScript (to stop
 * streams and flush output), but a signal listener only runs when the event loop turns: a user
 * regex that backtracks for minutes on one line (one V8's linear engine cannot take, e.g. with a
 * back-reference) would make Ctrl+C do nothing meanwhile.
 *
 * The watchdog is a tiny worker with its own event loop. On SIGINT (or SIGTERM) it waits 0.7 s for
 * the main thread to acknowledge (its own SIGINT listener posts a message, which proves its loop
 * turns); if none comes, it restores the terminal and ends the process with exit code 130 via
 * libc's `_exit` (Deno.exit in a worker ends only the worker). It is armed only once user
 * regexes exist, and only in the CLI (main.ts enables it), so other runs pay nothing.
 * @module
 */

/**
 * How long the main thread has to acknowledge a SIGINT before the process is ended, ms: Ctrl+C
 * ends s9s within a second, whatever keeps it busy.
 */
const GRACE_MS = 700;

const WORKER_SOURCE = `
let pending = false;
let alt = false;
self.onmessage = (e) => {
  if (e.data === "ack") pending = false;
  if (e.data === "alt-on") alt = true;
  if (e.data === "alt-off") alt = false;
};
const onSignal = () => {
  if (pending) return;
  pending = true;
  setTimeout(() => {
    if (!pending) return;
    const enc = new TextEncoder();
    try {
      if (Deno.stdout.isTerminal()) {
        Deno.stdout.writeSync(enc.encode((alt ? "\\x1b[?1049l" : "") + "\\x1b[0m\\x1b[?25h"));
      }
    } catch { /* best effort */ }
    const lib = Deno.dlopen("libc.so.6", {
      _exit: { parameters: ["i32"], result: "void" },
      tcgetattr: { parameters: ["i32", "buffer"], result: "i32" },
      tcsetattr: { parameters: ["i32", "i32", "buffer"], result: "i32" },
    });
    try {
      // Cooked mode again (the raw mode the main thread set is not this worker's to undo with
      // setRaw): line editing, echo, signals, CR to NL, output processing; Ctrl+\\ and Ctrl+Z.
      const t = new Uint8Array(60);
      if (Deno.stdin.isTerminal() && lib.symbols.tcgetattr(0, t) === 0) {
        const v = new DataView(t.buffer);
        v.setUint32(0, v.getUint32(0, true) | 0o400 | 0o2000, true);
        v.setUint32(4, v.getUint32(4, true) | 0o1 | 0o4, true);
        v.setUint32(12, v.getUint32(12, true) | 0o1 | 0o2 | 0o10 | 0o20 | 0o40 | 0o1000 | 0o4000 | 0o100000, true);
        t[17 + 1] = 0x1c;
        t[17 + 10] = 0x1a;
        lib.symbols.tcsetattr(0, 0, t);
      }
    } catch { /* best effort */ }
    try {
      Deno.stderr.writeSync(enc.encode("s9s: interrupted (a regular expression kept s9s busy)\\n"));
    } catch { /* stderr closed */ }
    lib.symbols._exit(130);
  }, ${GRACE_MS});
};
Deno.addSignalListener("SIGINT", onSignal);
Deno.addSignalListener("SIGTERM", onSignal);
`;

let enabled = false;
let worker: Worker | undefined;
/** Whether the alternate screen is on now; told to a watchdog armed later. */
let altScreen = false;

/** Allow the watchdog in this process (the CLI does; libraries and tests do not). */
export function enableInterruptWatchdog(): void {
  enabled = true;
}

/** Start the watchdog if enabled and not yet running (called where user regexes are compiled). */
export function armInterruptWatchdog(): void {
  if (!enabled || worker || Deno.build.os !== "linux") return;
  try {
    worker = new Worker(`data:application/javascript,${encodeURIComponent(WORKER_SOURCE)}`, {
      type: "module",
    });
    const w = worker;
    if (altScreen) w.postMessage("alt-on");
    Deno.addSignalListener("SIGINT", () => w.postMessage("ack"));
    Deno.addSignalListener("SIGTERM", () => w.postMessage("ack"));
  } catch {
    worker = undefined; // no worker or no FFI here: Ctrl+C works as the main thread allows
  }
}

/** Whether the watchdog runs in this process. */
export function interruptWatchdogArmed(): boolean {
  return worker !== undefined;
}

/** Tell the watchdog whether the alternate screen is on (the TUI), to leave it on a hard exit. */
export function watchdogAlternateScreen(on: boolean): void {
  altScreen = on;
  worker?.postMessage(on ? "alt-on" : "alt-off");
}
