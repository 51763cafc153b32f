/**
 * What a `FileSource` (file.ts) can be told, and the read sizes it uses by default.
 * @module
 */
import type { SourceKind } from "../core/stream_event.ts";
import type { Preselect } from "../core/line_batch.ts";
import type { WatchHub } from "./watch_hub.ts";
import type { FsIo } from "./generations.ts";

/** Options for {@link FileSource}. */
export interface FileSourceOptions {
  /** How often to look for changes when inotify says nothing, ms. */
  pollIntervalMs?: number;
  /** Bytes per read. */
  chunkSize?: number;
  /** Largest read while catching up on what the file already holds (default 120 KB). */
  catchUpBytes?: number;
  /** Line-length cap in bytes. */
  maxLineBytes?: number;
  /** Most lines handed on in one batch (`file_polling.batch_size`); default unlimited. */
  batchLines?: number;
  /** Keep following after the end of the file (default true). */
  follow?: boolean;
  /** Start with the last N lines instead of the whole file. */
  tailLines?: number;
  /** Stop when aborted. */
  signal?: AbortSignal;
  /** Shared inotify watches; none means polling only. */
  watchHub?: WatchHub;
  /** Report `\r` progress states as they are written. */
  progress?: boolean;
  /** Source kind to report (a file reached over a shared FS is "file"). */
  kind?: SourceKind;
  /** How long a followed file may stay unreadable (permission, stale NFS handle) before the
   * stream ends in an error, ms (default 10 minutes). Meanwhile it is retried and reported. */
  errorAfterMs?: number;
  /** Strings whose lines are all that is wanted, if so (see LineSplitterOptions.preselect). */
  preselect?: () => Preselect | undefined;
  /** Called for debug logging. */
  debug?: (msg: string) => void;
  /** The filesystem calls that look for rotated generations (tests: a rotation between them). */
  generationsIo?: FsIo;
}

/**
 * Largest catch-up read by default (`streaming.default_buffer_size` sets it). The splitter decodes a read's complete lines into one string; from
 * 128 KiB on, V8 puts a string in its large-object space, which only full garbage collections
 * free. Reads of up to 1 MB made a 100 MB catch-up spend a quarter of its time in such
 * collections: 0.35 s against 0.29 s with reads below the limit (measured; 64 KiB: 0.32 s).
 */
export const MAX_CATCH_UP_READ = 120 * 1024;
