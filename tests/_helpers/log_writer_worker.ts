/**
 * Worker entry of {@link runWriter}: runs one writer script, posts what it wrote.
 * @module
 */
import { runScript, type WriterScript } from "./log_writers.ts";

self.onmessage = (e: MessageEvent<WriterScript>) => {
  try {
    self.postMessage(runScript(e.data));
  } catch (err) {
    self.postMessage({ error: String((err as Error)?.stack ?? err) });
  }
};
