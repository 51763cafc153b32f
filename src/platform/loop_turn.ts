/**
 * Batches read synchronously follow each other in microtasks: this lets the event loop turn now
 * and then, without costing a timer per batch while it turns anyway.
 * @module
 */
import { nextTurn } from "./next_turn.ts";

/** How long batches may follow each other without the event loop turning, ms. */
export const TURN_EVERY_MS = 50;
let lastTurn = performance.now();
/** A message sent to tell whether the event loop turns; resolves when it does. */
let probe: Promise<void> | undefined;
let probeAt = 0;

/**
 * Let the event loop turn now and then (a promise to wait for when due). A catch-up of a local
 * file is read synchronously and its batches follow each other in microtasks only: without a
 * turn, no signal listener (Ctrl+C), timer or other stream would run until the whole file was
 * read, minutes with a costly filter.
 *
 * Whether the loop turns is asked of one message (a probe) before anyone waits: when batches come
 * from timers and wakes (following), it fires at once and nobody waits. Waiting at once, as
 * before, made every stream of a turn wait for a timer of its own ten times a second, each
 * batch then going the slow, asynchronous way (about 2,000 timers in 5 s with 50 busy files).
 * So the loop turns at least every 2 × TURN_EVERY_MS.
 */
export function turnEventLoopIfDue(): Promise<void> | undefined {
  const now = performance.now();
  if (now - lastTurn < TURN_EVERY_MS) return;
  if (!probe) {
    probeAt = now;
    probe = new Promise<void>((resolve) =>
      nextTurn(() => {
        lastTurn = performance.now();
        probe = undefined;
        resolve();
      })
    );
    return;
  }
  // The probe has not fired for TURN_EVERY_MS: the loop is held by synchronous work.
  return now - probeAt < TURN_EVERY_MS ? undefined : probe;
}

/**
 * The event loop has just turned: called at the start of a task (a timer's callback), so that
 * batches read there ask for no probe. A follow's reads come from such turns; without this, its
 * batches sent a probe of their own every TURN_EVERY_MS (a message channel each, ~30 µs).
 */
export function loopTurned(): void {
  lastTurn = performance.now();
}
