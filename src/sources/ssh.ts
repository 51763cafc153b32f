/**
 * Follow a file on a compute node over SSH: reads at byte offsets through the node's shared SFTP
 * session (one connection and one channel for every file on that node). The offset is ours:
 * after a dropped connection the stream reconnects with backoff and resumes at the exact byte
 * where it stopped; when the job ends, the rest of the file is read and the stream ends. A node
 * whose sshd has no SFTP subsystem is read with `tail -c +OFFSET -F` over exec instead
 * (ssh_tail.ts), with a status event saying so.
 * @module
 */
import { LineSplitter } from "../core/line_splitter.ts";
import type { LineBatch } from "../core/line_batch.ts";
import { UserFacingError } from "../errors.ts";
import { type Source, type SourceSink, Waker } from "./source.ts";
import { NoSftpError, type RemoteShell, shQuote } from "./remote_shell.ts";
import { RemoteTail, type TailCursor } from "./ssh_tail.ts";
import { SshUnreachableError } from "./ssh_unreachable_error.ts";
import {
  type Sftp,
  SFTP_NO_SUCH_FILE,
  SFTP_PERMISSION_DENIED,
  type SftpError,
  type SftpHandle,
} from "./sftp.ts";

/** Options for {@link SshFileSource}. */
export interface SshSourceOptions {
  /** The node connections: the built-in ssh2 pool or the system ssh (openssh). */
  pool: RemoteShell;
  follow?: boolean;
  tailLines?: number;
  maxLineBytes?: number;
  signal?: AbortSignal;
  progress?: boolean;
  /** Reconnect attempts in a row before giving up (then the stream ends with an error). */
  retryAttempts?: number;
  /** Bytes per read request (streaming.ssh.chunk_size). */
  chunkSize?: number;
  /** Longest pause between two looks at an idle file, in ms. */
  pollMs?: number;
  debug?: (m: string) => void;
}

const MIN_POLL_MS = 25;
const READ_AHEAD = 4;

/** A file on a remote node. */
export class SshFileSource implements Source {
  readonly kind = "ssh" as const;
  #splitter: LineSplitter;
  #received = 0; // bytes received from the remote file (= next offset to ask for)
  #finishing = false;
  /** Finishing a run the job was requeued from: a truncation is the next run's (see Source). */
  #endAtRewrite = false;
  #waker = new Waker();
  #opts: SshSourceOptions;
  /** The exec `tail -F` reader, once the node turned out to have no SFTP subsystem. */
  #tail?: RemoteTail;

  constructor(readonly host: string, readonly path: string, opts: SshSourceOptions) {
    this.#opts = opts;
    this.#splitter = new LineSplitter({ maxLineBytes: opts.maxLineBytes ?? 1024 * 1024 });
  }

  get offset(): number {
    return this.#splitter.committedOffset;
  }

  finish(why: "ended" | "requeued" = "ended"): void {
    this.#finishing = true;
    if (why === "requeued") this.#endAtRewrite = true;
    this.#waker.wake();
    this.#tail?.stop(); // its drain pass reads what is left
  }

  async run(sink: SourceSink): Promise<void> {
    const { signal, pool } = this.#opts;
    const onAbort = () => {
      this.#waker.wake();
      this.#tail?.stop();
    };
    signal?.addEventListener("abort", onAbort);
    const max = this.#opts.retryAttempts ?? 3;
    let failures = 0;
    let everLive = false;
    try {
      if (this.#opts.tailLines !== undefined) await this.#startAtTail(sink);
      while (!signal?.aborted) {
        const attemptStart = Date.now();
        try {
          if (!pool.connected(this.host)) {
            sink.status({ state: "connecting", message: `connecting to ${this.host}` });
          }
          const resumed = failures > 0;
          const onLive = () => {
            failures = 0;
            everLive = true;
            sink.status({
              state: "live",
              message: resumed
                ? `reconnected to ${this.host}; resuming "${this.path}" at byte ${this.#received}`
                : `following ${this.host}:${this.path} over SSH`,
            });
          };
          const sftp = this.#tail ? undefined : await this.#sftp(sink);
          if (sftp) await this.#follow(sftp, sink, onLive);
          else await this.#tail!.follow(sink, onLive);
          break;
        } catch (err) {
          // A refusal (host key, authentication, permission) is final; an unreachable node and
          // a dropped connection (ssh2's own errors) are tried again.
          if (err instanceof UserFacingError && !(err instanceof SshUnreachableError)) throw err;
          if (signal?.aborted) break;
          failures++;
          const reason = (err as Error).message;
          // A node that refuses the connection or whose name does not resolve answers at once,
          // and the same again: said now. Only a connection lost mid-stream is retried then.
          if (!everLive && refusedOrUnknown(err)) throw err;
          // A node never reached gets retry_attempts tries of `timeout` each, in all; a
          // connection lost mid-stream gets retry_attempts reconnects with backoff.
          const limit = everLive ? max : Math.max(1, max);
          if (failures >= limit + (everLive ? 1 : 0)) {
            throw new UserFacingError(
              everLive
                ? `failed: lost ${this.host} and ${max} reconnects failed: ${reason}`
                : `failed: ${reason} (${failures} attempt${failures > 1 ? "s" : ""})`,
              {
                hint: err instanceof UserFacingError
                  ? err.hint
                  : `test it with \`ssh ${this.host} true\`; streaming.ssh.retry_attempts sets the retries`,
                cause: err,
              },
            );
          }
          const wait = everLive
            ? Math.min(30_000, 500 * 2 ** (failures - 1))
            : Math.max(0, attemptStart + pool.timeoutMs - Date.now());
          sink.status({
            state: "retrying",
            message: `${everLive ? "lost" : "cannot reach"} ${this.host}: ${reason}; retrying in ${
              (wait / 1000).toFixed(1)
            }s (attempt ${failures}/${limit})`,
          });
          await this.#waker.wait(wait);
        }
      }
      if (!signal?.aborted) await this.#emit(sink, this.#splitter.flush());
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** The node's SFTP session; undefined (and the tail reader set up) when it has none. */
  async #sftp(sink: SourceSink): Promise<Sftp | undefined> {
    let how: NoSftpError;
    try {
      return await this.#opts.pool.sftp(this.host);
    } catch (err) {
      if (!(err instanceof NoSftpError)) throw err;
      how = err;
    }
    this.#tail = new RemoteTail(this.host, this.path, {
      pool: this.#opts.pool,
      follow: this.#opts.follow !== false,
      signal: this.#opts.signal,
      progress: this.#opts.progress,
      debug: this.#opts.debug,
    }, this.#cursor());
    sink.status({
      state: "connecting",
      message: `${how.message}: following "${this.path}" with ${how.how}`,
    });
    return undefined;
  }

  /** This source's read position, for the tail reader. */
  #cursor(): TailCursor {
    // deno-lint-ignore no-this-alias
    const self = this;
    return {
      get received() {
        return self.#received;
      },
      set received(n: number) {
        self.#received = n;
      },
      get splitter() {
        return self.#splitter;
      },
      get finishing() {
        return self.#finishing;
      },
    };
  }

  /** Read the file until it is drained after finish() (or at once without follow). */
  async #follow(sftp: Sftp, sink: SourceSink, onLive: () => void): Promise<void> {
    const follow = this.#opts.follow !== false;
    const chunk = this.#opts.chunkSize ?? 64 * 1024;
    const maxPoll = this.#opts.pollMs ?? 250;
    let h: SftpHandle | undefined;
    let bufs: Uint8Array[] | undefined;
    let waiting = false;
    let poll = MIN_POLL_MS;
    try {
      while (!this.#opts.signal?.aborted) {
        const draining = this.#finishing || !follow;
        if (!h) {
          try {
            h = await sftp.open(this.path);
            onLive();
          } catch (err) {
            const code = (err as SftpError).code;
            if (code === SFTP_PERMISSION_DENIED) throw this.#permission();
            if (code !== SFTP_NO_SUCH_FILE) throw err;
            if (draining) return;
            if (!waiting) {
              waiting = true;
              sink.status({
                state: "waiting",
                message: `waiting for "${this.path}" to appear on ${this.host}`,
              });
            }
            await this.#waker.wait(maxPoll);
            continue;
          }
        }
        const size = await sftp.size(h);
        if (size < this.#received) {
          if (this.#endAtRewrite) return; // the next run's: a new source reads it
          // Truncated: start again from the top, as tail does.
          await this.#emit(sink, this.#splitter.flush());
          this.#splitter.resetOffset(0);
          this.#received = 0;
          sink.status({
            state: "live",
            rewritten: true,
            message:
              `"${this.path}" was truncated on ${this.host}; reading it again from the start`,
          });
        }
        if (size > this.#received) {
          // A few reads in flight at once: one round trip per chunk would cap the throughput.
          const start = this.#received;
          const lens = [];
          for (let at = start; at < size && lens.length < READ_AHEAD; at += chunk) {
            lens.push(Math.min(chunk, size - at));
          }
          // Each read lands in a buffer of this follower's, reused: a new zeroed buffer per read
          // (then garbage) was ~45 ms of a 40 MB profile, far more than the copy into the
          // splitter. Each read is emitted as its own batch: reading all of them straight into
          // the splitter and cutting once made 256 KB batches, whose decode and output encode
          // took 2-5× as long (20 files, 40 MB: +15% CPU in all), likely as strings past V8's
          // 128 KB limit for young objects.
          bufs ??= Array.from({ length: READ_AHEAD }, () => new Uint8Array(chunk));
          const reads = lens.map((len, i) =>
            sftp.readInto(h!, start + i * chunk, bufs![i].subarray(0, len))
          );
          try {
            for (const [i, r] of reads.entries()) {
              const n = await r;
              this.#received += n;
              await this.#emit(sink, this.#splitter.push(bufs[i].subarray(0, n)));
              if (n < lens[i]) break; // shrank meanwhile: look at its size again
            }
          } finally {
            await Promise.allSettled(reads);
          }
          this.#progress(sink);
          poll = MIN_POLL_MS;
          continue;
        }
        if (draining) return;
        // A file quiet for a while gives its read buffers back (READ_AHEAD × chunk each), so that
        // many idle streams hold none; a busy one keeps reusing them.
        if (poll >= maxPoll) bufs = undefined;
        await this.#waker.wait(poll);
        poll = Math.min(maxPoll, poll * 2);
      }
    } finally {
      if (h && !sftp.closed) await sftp.close(h);
    }
  }

  #permission(): UserFacingError {
    return new UserFacingError(`permission denied reading "${this.path}" on ${this.host}`, {
      hint: "the file belongs to another user or its directory is not readable",
    });
  }

  async #startAtTail(sink: SourceSink): Promise<void> {
    const n = this.#opts.tailLines!;
    const q = shQuote(this.path);
    const r = await this.#opts.pool.run(
      this.host,
      `wc -c < ${q}; tail -n ${n} -- ${q} | wc -c; head -c $(( $(wc -c < ${q}) - $(tail -n ${n} -- ${q} | wc -c) )) -- ${q} | wc -l`,
    );
    const [size, tailBytes, linesBefore] = r.stdout.trim().split(/\s+/).map(Number);
    if (r.code === 0 && Number.isFinite(size) && Number.isFinite(tailBytes)) {
      this.#received = Math.max(0, size - tailBytes);
      this.#splitter = new LineSplitter({
        maxLineBytes: this.#opts.maxLineBytes ?? 1024 * 1024,
        startOffset: this.#received,
        firstLine: (linesBefore || 0) + 1,
      });
    } else {
      sink.status({ state: "waiting", message: `waiting for "${this.path}" on ${this.host}` });
    }
  }

  #progress(sink: SourceSink): void {
    if (!this.#opts.progress || !sink.progress) return;
    const p = this.#splitter.takeProgress();
    if (p !== undefined) sink.progress(p, this.#splitter.nextLine);
  }

  async #emit(sink: SourceSink, batch: LineBatch | null): Promise<void> {
    if (batch) await sink.batch(batch);
  }
}

/** Error codes of a definite "no": the port refuses, or the name does not resolve. */
const DEFINITE = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_NONAME"]);

/** Whether `err` (or its cause) is a refused connection or an unknown host name. */
function refusedOrUnknown(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 4; e = (e as Error).cause, depth++) {
    if (DEFINITE.has(String((e as { code?: unknown }).code))) return true;
  }
  return false;
}
