/**
 * One run of the engine, from targets to ended streams: builds the manager (with the filters a
 * face asks for), takes the parts a face builds over it — output sinks, integrations, recorders,
 * which live in higher layers and are handed in as functions — starts every target at once, waits
 * until they have all ended (or the face stops it: Ctrl+C, a closed pipe, the UI quitting), and
 * ends everything in order: streams, parts (last built first), the cluster. `s9s stream`, the
 * TUI and a submission all run through it.
 * @module
 */
import { type StreamListener, StreamManager, type StreamManagerOptions } from "./stream_manager.ts";
import type { StreamRequest } from "./stream_manager.ts";

/** Ends a part: flushes and closes what it holds. */
export type Closer = () => Promise<void> | void;

/** A part a face builds over the manager (a sink, an integration, a recorder), and its end. */
export type Part = (
  manager: StreamManager,
) => Promise<Closer | undefined> | Closer | undefined;

/** Options for a {@link Pipeline}: the manager's, and the face's line filters. */
export interface PipelineOptions extends StreamManagerOptions {
  /** `--filter` patterns: keep lines that match any. */
  include?: string[];
  /** `--exclude` patterns: drop lines that match any. */
  exclude?: string[];
}

/** The engine's pipeline: owns the manager, the parts given to it and the cluster. */
export class Pipeline {
  readonly manager: StreamManager;
  #closers: Closer[] = [];
  #started = Promise.withResolvers<boolean>();
  #allStarted = false;
  #closed = false;

  constructor(options: PipelineOptions) {
    this.manager = new StreamManager(options);
    for (const p of options.include ?? []) {
      this.manager.addFilter(`--filter "${p}"`, p, { action: "include" });
    }
    for (const p of options.exclude ?? []) {
      this.manager.addFilter(`--exclude "${p}"`, p, { action: "exclude" });
    }
  }

  /**
   * Listen as the output does: lines wait (backpressure) until every target has started, so a
   * job the cluster does not know fails the run before any line is shown; after a failed start
   * they are dropped.
   */
  output(listener: StreamListener): void {
    this.manager.subscribe({
      ...listener,
      onLines: (s, batch, selection) => {
        // Once started, straight through: no promise of its own per batch.
        if (this.#allStarted) return listener.onLines?.(s, batch, selection);
        return this.#started.promise.then((ok) => {
          if (ok) return listener.onLines?.(s, batch, selection);
        });
      },
    });
  }

  /**
   * Build parts in order. When one fails, everything built so far is ended (and the cluster
   * closed) and the error is thrown on: nothing has started yet.
   */
  async attach(...parts: Part[]): Promise<void> {
    for (const part of parts) {
      try {
        const closer = await part(this.manager);
        if (closer) this.#closers.push(closer);
      } catch (err) {
        await this.close();
        throw err;
      }
    }
  }

  /**
   * Start every target at once — the stream limit and every job are checked before any stream
   * starts — then wait until all have ended, or until one of `until` settles first (its value is
   * returned). A failed start throws; the caller still calls {@link close}.
   */
  async run<T>(requests: StreamRequest[], until: Promise<T>[] = []): Promise<"done" | T> {
    try {
      await this.manager.startStreams(requests);
    } catch (err) {
      this.#started.resolve(false);
      throw err;
    }
    this.#allStarted = true;
    this.#started.resolve(true);
    return await Promise.race([this.manager.done().then(() => "done" as const), ...until]);
  }

  /** End everything: the streams, then the parts (last built first), then the cluster. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#started.resolve(false);
    this.manager.close();
    let failure: { err: unknown } | undefined;
    for (const close of this.#closers.reverse()) {
      try {
        await close();
      } catch (err) {
        failure ??= { err }; // the others still end; the first failure is reported
      }
    }
    this.manager.cluster?.close();
    if (failure) throw failure.err;
  }
}
