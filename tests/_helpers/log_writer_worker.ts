/**
 * Worker entry of `runWriters` (log_writers.ts): runs writer scripts in turn, posts what they wrote.
 * @module
 */
import { runScript, type WriterScript } from "./log_writers.ts";

self.onmessage = (e: MessageEvent<WriterScript[]>) => {
  try {
    self.postMessage(e.data.map(runScript));
  } catch (err) {
    self.postMessage({ error: String((err as Error)?.stack ?? err) });
  }
};
