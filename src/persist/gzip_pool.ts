/**
 * A few workers that compress history members in parallel, so that saving a fast stream does not
 * slow reading it (a 200 MB catch-up). Falls back to compressing inline when workers are not
 * available. Results come back per job; callers keep their own order.
 * @module
 */
import { encodeMemberJson, type Level } from "../codec/gzip_chunk.ts";

interface Pending {
  text: string;
  meta: string;
  level: Level;
  resolve: (b: Uint8Array) => void;
  reject: (e: Error) => void;
}

const enc = new TextEncoder();

/** A pool of gzip workers. */
export class GzipPool {
  #workers: Worker[] = [];
  #pending = new Map<number, Pending>();
  #id = 0;
  #next = 0;

  /** Start `size` workers (0: compress inline). */
  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      try {
        const w = new Worker(new URL("./gzip_worker.ts", import.meta.url), { type: "module" });
        w.onmessage = (e: MessageEvent<{ id: number; out?: Uint8Array; error?: string }>) => {
          const p = this.#pending.get(e.data.id);
          this.#pending.delete(e.data.id);
          if (e.data.out) p?.resolve(e.data.out);
          else p?.reject(new Error(e.data.error ?? "compression failed"));
        };
        w.onerror = (e) => {
          // A worker that cannot start (e.g. a compiled binary built without it): go inline.
          e.preventDefault();
          this.#goInline();
        };
        this.#workers.push(w);
      } catch {
        break; // no workers here (e.g. a compiled binary without them): compress inline
      }
    }
  }

  /** A default size: a core each but one (reading needs one), one at least, four at most. */
  static defaultSize(): number {
    const env = Deno.env.get("S9S_GZIP_WORKERS");
    if (env !== undefined && /^\d+$/.test(env)) return Number(env);
    return Math.max(1, Math.min(4, (navigator.hardwareConcurrency ?? 2) - 1));
  }

  /** Compress `text` (as UTF-8) into one gzip member. */
  encode(text: string, meta: unknown, level: Level): Promise<Uint8Array> {
    // The metadata goes as JSON text: one string is far cheaper to post than arrays of numbers.
    // So does the text: posting a string copies it once; its UTF-8 encoding is the worker's job
    // (profiled: posting the encoded bytes cost this thread ≈ 5 ms per MB, encoding ≈ 2 ms per MB).
    const json = JSON.stringify(meta);
    if (this.#workers.length === 0) {
      return Promise.resolve(encodeMemberJson(enc.encode(text), json, level));
    }
    const id = ++this.#id;
    const w = this.#workers[this.#next++ % this.#workers.length];
    return new Promise((resolve, reject) => {
      // Kept (a string is immutable) to redo inline should the worker fail.
      this.#pending.set(id, { text, meta: json, level, resolve, reject });
      w.postMessage({ id, text, meta: json, level });
    });
  }

  #goInline(): void {
    for (const w of this.#workers) w.terminate();
    this.#workers = [];
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) {
      try {
        p.resolve(encodeMemberJson(enc.encode(p.text), p.meta, p.level));
      } catch (err) {
        p.reject(err as Error);
      }
    }
  }

  #failAll(err: Error): void {
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }

  /** Stop the workers (pending jobs fail). */
  close(): void {
    for (const w of this.#workers) w.terminate();
    this.#workers = [];
    this.#failAll(new Error("compression pool closed"));
  }
}
