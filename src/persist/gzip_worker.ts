/**
 * Worker side of {@link GzipPool}: turns text into gzip members off the main thread.
 * @module
 */
import { encodeMemberJson, type Level } from "../codec/gzip_chunk.ts";

interface Job {
  id: number;
  text: string;
  meta: string;
  level: Level;
}

const enc = new TextEncoder();

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<Job>) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
};

scope.onmessage = (e) => {
  const { id, text, meta, level } = e.data;
  try {
    const out = encodeMemberJson(enc.encode(text), meta, level);
    scope.postMessage({ id, out }, [out.buffer as ArrayBuffer]);
  } catch (err) {
    scope.postMessage({ id, error: (err as Error).message });
  }
};
