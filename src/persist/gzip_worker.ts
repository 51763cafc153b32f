/**
 * Worker side of {@link GzipPool}: turns text into gzip members off the main thread.
 * @module
 */
import { encodeMemberJson, type Level } from "../codec/gzip_chunk.ts";

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
  const { id, data, meta, level } = e.data;
  try {
    const out = encodeMemberJson(data, meta, level);
    scope.postMessage({ id, out }, [out.buffer as ArrayBuffer]);
  } catch (err) {
    scope.postMessage({ id, error: (err as Error).message });
  }
};

// Tell the pool this worker runs: from now on it hands over its data instead of copying it.
scope.postMessage({ running: true });
