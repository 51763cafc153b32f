/**
 * The helper worker: one thread that s9s's background jobs share — the interrupt watchdog and
 * the first of history's compression workers — instead of a worker each. Starting a worker holds
 * the main thread while the new runtime is set up (≈ 12 ms here, measured: a catch-up with a
 * filter and history paid it twice) and each worker keeps its own V8 heap.
 *
 * Its code is {@link WORKER_MODULE}. It answers `{ hello: true }` with `{ running: true }`
 * (whoever listens asks once its listener is in place: a message sent before that would be
 * lost), handles the watchdog's messages, and compresses what it is given.
 * @module
 */
import { moduleUrl, WORKER_MODULE } from "./lazy_import.ts";

let shared: Worker | undefined;
let users = 0;
let failed = false;

/**
 * The helper worker for one more user, started on first use; undefined where workers cannot
 * start (e.g. a binary built without the worker's module), then callers do without. A user
 * that is done says so with {@link releaseHelperWorker}.
 */
export function helperWorker(): Worker | undefined {
  if (!shared && !failed) {
    try {
      const w = new Worker(moduleUrl(WORKER_MODULE), { type: "module" });
      // A worker whose module fails (uncaught, its error would end the main thread too): gone.
      w.addEventListener("error", (e) => {
        e.preventDefault();
        if (shared === w) helperWorkerFailed();
      });
      shared = w;
    } catch {
      failed = true;
    }
  }
  if (shared) users++;
  return shared;
}

/** A user of the helper worker is done with it: it ends when no other uses it. */
export function releaseHelperWorker(w: Worker): void {
  if (w !== shared || --users > 0) return;
  shared.terminate();
  shared = undefined;
  users = 0;
}

/** The helper worker failed (its module did not load): forget it and end it. */
export function helperWorkerFailed(): void {
  shared?.terminate();
  shared = undefined;
  users = 0;
  failed = true;
}
