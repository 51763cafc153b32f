/**
 * Worker entry of `runWriters` (log_writers.ts): runs writer scripts in turn, posts what they wrote.
 * @module
 */
import { runScript, type WriterScript } from "./log_writers.ts";

/** The worker's own scope (the main-thread typings describe a window). */
const scope = self as unknown as {
  onmessage: (e: MessageEvent<WriterScript[]>) => void;
  postMessage(data: unknown): void;
};

scope.onmessage = (e) => {
  try {
    scope.postMessage(e.data.map(runScript));
  } catch (err) {
    scope.postMessage({ error: String((err as Error)?.stack ?? err) });
  }
};
