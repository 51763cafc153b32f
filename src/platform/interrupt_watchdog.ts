/**
 * Ctrl+C that works while JavaScript is busy. s9s handles SIGINT in JavaScript (to stop
 * streams and flush output), but a signal listener only runs when the event loop turns: a user
 * regex that backtracks for minutes on one line (one V8's linear engine cannot take, e.g. with a
 * back-reference) would make Ctrl+C do nothing meanwhile.
 *
 * The watchdog lives in the helper worker (helper_worker.ts), which has its own event loop. On
 * SIGINT (or SIGTERM) it waits 0.7 s for the main thread to acknowledge (its own SIGINT listener
 * posts a message, which proves its loop turns); if none comes, it restores the terminal and ends
 * the process with exit code 130 (interrupt_watchdog_worker.ts). It is armed only once user
 * regexes exist, and only in the CLI (main.ts enables it), so other runs pay nothing.
 * @module
 */
import { helperWorker } from "./helper_worker.ts";
import type { WatchdogMessage } from "./interrupt_watchdog_worker.ts";

/**
 * How long the main thread has to acknowledge a SIGINT before the process is ended, ms: Ctrl+C
 * ends s9s within a second, whatever keeps it busy.
 */
const GRACE_MS = 700;

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
  const w = helperWorker();
  if (!w) return; // no worker here: Ctrl+C works as the main thread allows
  worker = w;
  const arm: WatchdogMessage = { watchdog: "arm", graceMs: GRACE_MS, alt: altScreen };
  w.postMessage(arm);
  const ack: WatchdogMessage = { watchdog: "ack" };
  Deno.addSignalListener("SIGINT", () => w.postMessage(ack));
  Deno.addSignalListener("SIGTERM", () => w.postMessage(ack));
}

/** Whether the watchdog runs in this process. */
export function interruptWatchdogArmed(): boolean {
  return worker !== undefined;
}

/** Tell the watchdog whether the alternate screen is on (the TUI), to leave it on a hard exit. */
export function watchdogAlternateScreen(on: boolean): void {
  altScreen = on;
  const m: WatchdogMessage = { watchdog: "alt", on };
  worker?.postMessage(m);
}
