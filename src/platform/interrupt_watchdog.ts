/**
 * Ctrl+C that works while JavaScript is busy. s9s handles SIGINT in JavaScript (to stop
 * streams and flush output), but a signal listener only runs when the event loop turns: a user
 * regex that backtracks for minutes on one line (one V8's linear engine cannot take, e.g. with a
 * back-reference) would make Ctrl+C do nothing meanwhile.
 *
 * The watchdog lives in the helper worker (helper_worker.ts), which has its own event loop. On
 * SIGINT (or SIGTERM) it waits 0.7 s for the main thread to acknowledge (its own SIGINT listener
 * posts a message on the next turn, which proves its loop turns after the signal); if none comes,
 * it restores the terminal and ends the process with exit code 130 (interrupt_watchdog_worker.ts).
 * It is armed only for user regexes that may run away (config/regex.ts), and only in the CLI
 * (main.ts enables it), so other runs pay nothing.
 * @module
 */
import { helperWorker } from "./helper_worker.ts";
import { nextTurn } from "./next_turn.ts";
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
  // Acknowledged on the turn after the signal's: the signal's own turn may go on with a batch
  // that was waiting for it to turn, before the stop that the signal started; an answer then
  // would call off the watchdog while that batch keeps the thread busy.
  const ack: WatchdogMessage = { watchdog: "ack" };
  const onSignal = () => nextTurn(() => w.postMessage(ack));
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
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
