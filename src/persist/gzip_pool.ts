/**
 * A few workers that compress history members in parallel, so that saving a fast stream does not
 * slow reading it (a 200 MB catch-up). Falls back to compressing inline when workers are not
 * available. Results come back per job; callers keep their own order.
 * @module
 */
import { moduleUrl, WORKER_MODULE } from "../platform/lazy_import.ts";
import {
  helperWorker,
  helperWorkerFailed,
  releaseHelperWorker,
} from "../platform/helper_worker.ts";
import { encodeMemberJson, type Level } from "../codec/gzip_chunk.ts";

interface Pending {
  /** Undefined once handed over to the worker (then it cannot be redone inline). */
  data?: Uint8Array;
  meta: string;
  level: Level;
  resolve: (b: Uint8Array) => void;
  reject: (e: Error) => void;
}

/**
 * Hand a job to a worker: its bytes in memory the worker shares (the history writer makes its
 * members there; anything else is copied there first), posted without a transfer list. A
 * transfer list makes the runtime load its web streams on the main thread at the first post
 * (11 ms there, measured with the task's flags); a structured clone would copy the bytes twice,
 * slowly (~145 ms of CPU per 40 MB recorded, measured).
 */
function post(w: Worker, id: number, p: Pending): void {
  let data = p.data!;
  p.data = undefined;
  if (!(data.buffer instanceof SharedArrayBuffer)) {
    const shared = new Uint8Array(new SharedArrayBuffer(data.byteLength));
    shared.set(data);
    data = shared;
  }
  w.postMessage({ id, data, meta: p.meta, level: p.level });
}

/** A pool of gzip workers. */
export class GzipPool {
  #workers: Worker[] = [];
  /** The helper worker, when it is one of #workers (shared: never ended here unless it failed). */
  #helper?: Worker;
  /** Workers that said they run: they are given jobs (see post), the rest wait. */
  #running = new Set<Worker>();
  /** Jobs for a worker that has not said it runs yet, by id, in order. */
  #waiting = new Map<Worker, number[]>();
  #pending = new Map<number, Pending>();
  #id = 0;
  #next = 0;

  /**
   * Start `size` workers (0: compress inline); the first is the helper worker, which the
   * interrupt watchdog may have started already (then it costs nothing more here).
   */
  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      try {
        const w = i === 0
          ? helperWorker()
          : new Worker(moduleUrl(WORKER_MODULE), { type: "module" });
        if (!w) break; // no workers here (e.g. a compiled binary without them): compress inline
        if (i === 0) this.#helper = w;
        w.onmessage = (
          e: MessageEvent<{ id: number; out?: Uint8Array; error?: string; running?: true }>,
        ) => {
          if (e.data.running) return void this.#started(w);
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
        // Asked now that the listener is in place: the answer says the worker runs.
        w.postMessage({ hello: true });
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

  /**
   * Compress `data` into one gzip member. Its memory may be handed over to a worker: the caller
   * must not use `data` (nor the rest of its buffer) afterwards.
   */
  encode(data: Uint8Array, meta: unknown, level: Level): Promise<Uint8Array> {
    // The metadata goes as JSON text: one string is far cheaper to post than arrays of numbers.
    const json = JSON.stringify(meta);
    if (this.#workers.length === 0) return Promise.resolve(encodeMemberJson(data, json, level));
    const id = ++this.#id;
    const w = this.#workers[this.#next++ % this.#workers.length];
    return new Promise((resolve, reject) => {
      const p: Pending = { data, meta: json, level, resolve, reject };
      this.#pending.set(id, p);
      // Shared, never cloned (see post): a catch-up makes most of its members before the
      // worker runs (its start takes tens of ms). Until it says it runs, jobs wait here, their
      // data kept to compress inline should it fail to start.
      if (this.#running.has(w)) post(w, id, p);
      else {
        let q = this.#waiting.get(w);
        if (!q) this.#waiting.set(w, q = []);
        q.push(id);
      }
    });
  }

  /** A worker runs: hand it the jobs that waited for it. */
  #started(w: Worker): void {
    this.#running.add(w);
    const q = this.#waiting.get(w) ?? [];
    this.#waiting.delete(w);
    for (const id of q) {
      const p = this.#pending.get(id);
      if (p) post(w, id, p);
    }
  }

  /** End the workers: the helper worker only when it failed (the watchdog may live in it). */
  #endWorkers(failed: boolean): void {
    for (const w of this.#workers) {
      if (w !== this.#helper) w.terminate();
      else if (failed) helperWorkerFailed();
      else {
        w.onmessage = w.onerror = null;
        releaseHelperWorker(w);
      }
    }
    this.#workers = [];
    this.#helper = undefined;
  }

  #goInline(): void {
    this.#endWorkers(true);
    this.#running.clear();
    this.#waiting.clear();
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) {
      try {
        if (!p.data) throw new Error("the compression worker failed");
        p.resolve(encodeMemberJson(p.data, p.meta, p.level));
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
    this.#endWorkers(false);
    this.#running.clear();
    this.#waiting.clear();
    this.#failAll(new Error("compression pool closed"));
  }
}
