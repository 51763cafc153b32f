/**
 * What every source (file, ssh, api) offers the engine.
 * @module
 */
import type { LineBatch } from "../core/line_batch.ts";
import type { SourceKind, StreamState } from "../core/stream_event.ts";
import { SharedTimer } from "./shared_timer.ts";

/** A change in a source's condition, reported to the stream. */
export interface SourceStatus {
  state: StreamState;
  message?: string;
  /** The file was truncated or rewritten: the source reads it again from its start. */
  rewritten?: true;
}

/** Where a source delivers what it reads. Awaiting `batch` is the backpressure. */
export interface SourceSink {
  batch(batch: LineBatch): void | Promise<void>;
  /** The latest `\r` state of the line being written (for live progress display). */
  progress?(text: string, lineNum: number): void;
  status(status: SourceStatus): void;
}

/** A source of lines for one physical output (a file, a remote file, an API). */
export interface Source {
  readonly kind: SourceKind;
  /** Byte offset just past the last line delivered. */
  readonly offset: number;
  /** Read and follow until finished or aborted. Resolves when the source has ended. */
  run(sink: SourceSink): Promise<void>;
  /**
   * The job has ended: read what is left, emit the unterminated tail, then end. `requeued`: this
   * run ended because the job was requeued; its next run rewrites the file and is read by a new
   * source from the start, so a rewrite met while finishing ends this one (read here too, the next
   * run's first lines came twice).
   */
  finish(why?: "ended" | "requeued"): void;
  /** Restart reading from the beginning of the file (the `r` key). */
  restart?(): void;
}

/** The timeouts of every {@link Waker}: one timer for all (see shared_timer.ts). */
const timeouts = new SharedTimer();

/** Sleep that an AbortSignal or an explicit wake can cut short. */
export class Waker {
  #resolve?: () => void;
  #pending = false;

  /** Wake a current or the next wait. */
  wake(): void {
    this.#pending = true;
    this.#resolve?.();
  }

  /** Wait for a wake or `ms` milliseconds, whichever is first. */
  wait(ms: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        t.cancel();
        this.#resolve = undefined;
        this.#pending = false;
        resolve();
      };
      const t = timeouts.after(ms, done);
      this.#resolve = done;
    });
  }
}
