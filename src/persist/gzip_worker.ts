/**
 * The helper worker's code (src/platform/helper_worker.ts) and that of {@link GzipPool}'s other
 * workers: turns text into gzip members off the main thread, and hosts the interrupt watchdog
 * when told to arm it.
 * @module
 */
import { encodeMemberJson, type Level } from "../codec/gzip_chunk.ts";
import { isWatchdogMessage, watchdogMessage } from "../platform/interrupt_watchdog_worker.ts";

interface Job {
  id: number;
  data: Uint8Array;
  meta: string;
  level: Level;
}

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<Job>) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
};

scope.onmessage = (e) => {
  const m: unknown = e.data;
  if (isWatchdogMessage(m)) return watchdogMessage(m);
  // Whoever listens asks once its listener is in place: from then on it posts its jobs (held
  // until then, to compress them inline should this worker fail to start).
  if ((m as { hello?: true }).hello) return scope.postMessage({ running: true });
  const { id, data, meta, level } = e.data;
  try {
    const out = encodeMemberJson(data, meta, level);
    scope.postMessage({ id, out }, [out.buffer as ArrayBuffer]);
  } catch (err) {
    scope.postMessage({ id, error: (err as Error).message });
  }
};
