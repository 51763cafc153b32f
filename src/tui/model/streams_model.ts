/**
 * The streams the UI shows: started and stopped on behalf of views (a stream two views want is
 * shared, and stops when neither does), the latest `\r` progress per stream, and one listener
 * told about changes in batches on a timer — as k9s's models do — so a flood of lines costs one
 * redraw per tick. No neo-blessed.
 * @module
 */
import type { FollowOptions, StreamHandle, StreamManager } from "../../engine/stream_manager.ts";
import type { StreamType } from "../../core/stream_event.ts";
import { type StreamTarget, targetId } from "../../core/stream_target.ts";
import type { Highlight } from "./line_format.ts";

/** Told that streams changed (lines, state, progress) since the last call. */
export interface StreamsListener {
  streamsChanged(): void;
}

/** Latest `\r` progress state of a stream's current line. */
export interface Progress {
  text: string;
  lineNum: number;
}

/** Shared, owner-counted streams over a manager. */
export class StreamsModel {
  readonly #manager: StreamManager;
  #owners = new Map<string, Set<string>>();
  #progress = new Map<string, Progress>();
  #changed = false;
  #timer?: ReturnType<typeof setInterval>;
  #unsubscribe?: () => void;

  constructor(manager: StreamManager) {
    this.#manager = manager;
  }

  /** Subscribe to the manager; tell `listener` at most every `intervalMs` when something changed. */
  start(listener: StreamsListener, intervalMs: number): void {
    this.stop();
    const changed = () => void (this.#changed = true);
    this.#unsubscribe = this.#manager.subscribe({
      onLines: changed,
      onProgress: (s, text, lineNum) => {
        this.#progress.set(s.key, { text, lineNum });
        this.#changed = true;
      },
      onStatus: changed,
      onStart: changed,
      onEnd: changed,
    });
    this.#timer = setInterval(() => {
      if (!this.#changed) return;
      this.#changed = false;
      listener.streamsChanged();
    }, intervalMs);
  }

  /** Unsubscribe and stop the timer. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  /** Config highlights (colors for matching lines). */
  get highlights(): readonly Highlight[] {
    return this.#manager.filter.highlights;
  }

  /** `streaming.max_concurrent_streams`. */
  get limit(): number {
    return this.#manager.config.streaming.max_concurrent_streams;
  }

  /** Streams that are neither ended nor failed. */
  get active(): number {
    return this.#manager.streams.filter((s) => s.state !== "ended" && s.state !== "error").length;
  }

  /** The stream handle with this key (or, for an array id, its first task's). */
  handle(jobId: string, type: StreamType): StreamHandle | undefined {
    const streams = this.#manager.streams;
    return streams.find((s) => s.jobId === jobId && s.type === type) ??
      streams.find((s) => s.jobId.startsWith(`${jobId}_`) && s.type === type);
  }

  /**
   * The stream a pane shows: by its key for a task's or node's own stream (a pane of a job
   * split into parts), else as {@link handle} finds it.
   */
  handleFor(m: { key: string; jobId: string; type: StreamType }): StreamHandle | undefined {
    if (m.key === `${m.jobId}:${m.type}`) return this.handle(m.jobId, m.type);
    return this.#manager.streams.find((s) => s.key === m.key);
  }

  /** Hear of every new stream (a task's or node's stream appearing); returns an unsubscribe. */
  onNewStream(fn: (s: StreamHandle) => void): () => void {
    return this.#manager.subscribe({ onStart: fn });
  }

  /** The latest progress state of a stream. */
  progress(key: string): Progress | undefined {
    return this.#progress.get(key);
  }

  /** Forget a stream's progress state (its buffer was cleared). */
  clearProgress(key: string): void {
    this.#progress.delete(key);
  }

  /** Start (or share) a stream of `target` for `owner`. */
  async want(
    target: StreamTarget,
    type: StreamType,
    owner: string,
    options: FollowOptions = {},
  ): Promise<void> {
    const jobId = targetId(target);
    const key = `${jobId}:${type}`;
    const owners = this.#owners.get(key) ?? new Set();
    const had = owners.size > 0 && this.handle(jobId, type) !== undefined;
    owners.add(owner);
    this.#owners.set(key, owners);
    if (had) return;
    try {
      await this.#manager.startStream(target, type, options);
    } catch (err) {
      owners.delete(owner);
      throw err;
    }
    this.#changed = true;
  }

  /** `owner` no longer needs a stream; stop it when nobody does. */
  release(jobId: string, type: StreamType, owner: string): void {
    const key = `${jobId}:${type}`;
    const owners = this.#owners.get(key);
    owners?.delete(owner);
    if (!owners || owners.size === 0) {
      this.#owners.delete(key);
      this.#manager.stopStream(jobId, type);
      this.#progress.delete(key);
    }
    this.#changed = true;
  }

  /** Stop and start a stream again (reads its file from the start). */
  async restart(target: StreamTarget, type: StreamType): Promise<void> {
    const jobId = targetId(target);
    this.#manager.stopStream(jobId, type);
    this.#progress.delete(`${jobId}:${type}`);
    await this.#manager.startStream(target, type);
    this.#changed = true;
  }
}
