/**
 * Follow a file on a compute node over SSH (`tail -c +OFFSET -F` on a pooled connection).
 * The byte offset is ours: after a dropped connection the stream resumes exactly where it
 * stopped; when the job ends, the rest of the file is read and the stream ends.
 * @module
 */
import { LineSplitter } from "../core/line_splitter.ts";
import type { LineBatch } from "../core/line_batch.ts";
import { UserFacingError } from "../errors.ts";
import { type Source, type SourceSink, Waker } from "./source.ts";
import { type Channel, shQuote, type SshPool } from "./ssh_pool.ts";

/** Options for {@link SshFileSource}. */
export interface SshSourceOptions {
  pool: SshPool;
  follow?: boolean;
  tailLines?: number;
  maxLineBytes?: number;
  signal?: AbortSignal;
  progress?: boolean;
  /** Reconnect attempts in a row before giving up (then the stream ends with an error). */
  retryAttempts?: number;
  /** Remote tail command (streaming.ssh.commands.tail); its `-f` becomes `-F` with an offset. */
  debug?: (m: string) => void;
}

/** A file on a remote node. */
export class SshFileSource implements Source {
  readonly kind = "ssh" as const;
  #splitter: LineSplitter;
  #received = 0; // bytes received from the remote file (= next offset to ask for)
  #finishing = false;
  #waker = new Waker();
  #channel?: Channel;

  constructor(readonly host: string, readonly path: string, private opts: SshSourceOptions) {
    this.#splitter = new LineSplitter({ maxLineBytes: opts.maxLineBytes ?? 1024 * 1024 });
  }

  get offset(): number {
    return this.#splitter.committedOffset;
  }

  finish(): void {
    this.#finishing = true;
    this.#waker.wake();
    // Stop following; the drain pass below reads what is left.
    try {
      this.#channel?.signal?.("TERM");
      this.#channel?.close();
    } catch { /* closed */ }
  }

  async run(sink: SourceSink): Promise<void> {
    const { signal } = this.opts;
    const follow = this.opts.follow !== false;
    const onAbort = () => {
      this.#waker.wake();
      try {
        this.#channel?.close();
      } catch { /* closed */ }
    };
    signal?.addEventListener("abort", onAbort);
    let failures = 0;
    try {
      if (this.opts.tailLines !== undefined) await this.#startAtTail(sink);
      let first = true;
      while (!signal?.aborted) {
        const draining = this.#finishing || !follow;
        const cmd = draining
          ? `tail -c +${this.#received + 1} -- ${shQuote(this.path)}`
          : `tail -s 0.1 -c +${this.#received + 1} -F -- ${shQuote(this.path)}`;
        try {
          const result = await this.#runChannel(cmd, sink, first);
          first = false;
          failures = 0;
          if (result === "permission") {
            throw new UserFacingError(`permission denied reading "${this.path}" on ${this.host}`, {
              hint: "the file belongs to another user or its directory is not readable",
            });
          }
          if (draining) break;
          if (this.#finishing) continue; // closed by finish(): one more pass to drain
        } catch (err) {
          if (
            err instanceof UserFacingError &&
            /permission|host key|authentication/i.test(err.message)
          ) throw err;
          if (signal?.aborted) break;
          failures++;
          const max = this.opts.retryAttempts ?? 3;
          if (failures > max) throw err;
          const wait = Math.min(30_000, 500 * 2 ** (failures - 1));
          sink.status({
            state: "retrying",
            message: `lost ${this.host}: ${(err as Error).message}; retrying in ${
              Math.round(wait / 1000)
            }s (attempt ${failures}/${max})`,
          });
          await this.#waker.wait(wait);
        }
      }
      if (!signal?.aborted) await this.#emit(sink, this.#splitter.flush());
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  async #startAtTail(sink: SourceSink): Promise<void> {
    const n = this.opts.tailLines!;
    const q = shQuote(this.path);
    const r = await this.opts.pool.run(
      this.host,
      `wc -c < ${q}; tail -n ${n} -- ${q} | wc -c; head -c $(( $(wc -c < ${q}) - $(tail -n ${n} -- ${q} | wc -c) )) -- ${q} | wc -l`,
    );
    const [size, tailBytes, linesBefore] = r.stdout.trim().split(/\s+/).map(Number);
    if (r.code === 0 && Number.isFinite(size) && Number.isFinite(tailBytes)) {
      this.#received = Math.max(0, size - tailBytes);
      this.#splitter = new LineSplitter({
        maxLineBytes: this.opts.maxLineBytes ?? 1024 * 1024,
        startOffset: this.#received,
        firstLine: (linesBefore || 0) + 1,
      });
    } else {
      sink.status({ state: "waiting", message: `waiting for "${this.path}" on ${this.host}` });
    }
  }

  /** Run one tail command until its channel closes. */
  async #runChannel(
    cmd: string,
    sink: SourceSink,
    first: boolean,
  ): Promise<"closed" | "permission"> {
    this.opts.debug?.(`ssh ${this.host}: ${cmd}`);
    const ch = await this.opts.pool.exec(this.host, cmd);
    this.#channel = ch;
    if (this.#finishing && !cmd.includes(" -F ")) {
      // draining pass: nothing to close
    } else if (this.#finishing) {
      ch.close();
    }
    if (first) {
      sink.status({ state: "live", message: `following ${this.host}:${this.path} over SSH` });
    }
    let chain: Promise<void> = Promise.resolve();
    let permission = false;
    let stderrBuf = "";
    const dec = new TextDecoder();
    return await new Promise((resolve, reject) => {
      ch.on("data", (chunk: Uint8Array) => {
        this.#received += chunk.length;
        const batch = this.#splitter.push(chunk);
        if (!batch) {
          this.#progress(sink);
          return;
        }
        ch.pause();
        chain = chain.then(() => this.#emit(sink, batch)).then(() => {
          this.#progress(sink);
          ch.resume();
        });
      });
      ch.stderr.on("data", (chunk: Uint8Array) => {
        stderrBuf += dec.decode(chunk, { stream: true });
        let nl;
        while ((nl = stderrBuf.indexOf("\n")) !== -1) {
          const line = stderrBuf.slice(0, nl);
          stderrBuf = stderrBuf.slice(nl + 1);
          if (/file truncated/.test(line)) {
            // GNU tail starts again from the top: so do our offsets.
            chain = chain.then(async () => {
              await this.#emit(sink, this.#splitter.flush());
              this.#splitter.resetOffset(0);
              sink.status({
                state: "live",
                message:
                  `"${this.path}" was truncated on ${this.host}; reading it again from the start`,
              });
            });
            this.#received = 0;
          } else if (/Permission denied/.test(line)) {
            permission = true;
          } else if (/No such file|cannot open/.test(line)) {
            sink.status({
              state: "waiting",
              message: `waiting for "${this.path}" to appear on ${this.host}`,
            });
          } else if (/has appeared|has been replaced/.test(line)) {
            if (/replaced/.test(line)) {
              chain = chain.then(async () => {
                await this.#emit(sink, this.#splitter.flush());
                this.#splitter.resetOffset(0);
              });
              this.#received = 0;
            }
            sink.status({ state: "live", message: line.replace(/^tail: /, "") });
          }
        }
      });
      ch.on("error", (e: Error) => reject(e));
      ch.on("close", (code: number | null) => {
        this.opts.debug?.(`ssh channel closed code=${code}`);
        chain.then(() => {
          if (permission) resolve("permission");
          else if (
            code !== 0 && code !== null && !this.#finishing && !this.opts.signal?.aborted &&
            cmd.includes(" -F ")
          ) {
            reject(new Error(`remote tail exited with code ${code}`));
          } else resolve("closed");
        }, reject);
      });
    });
  }

  #progress(sink: SourceSink): void {
    if (!this.opts.progress || !sink.progress) return;
    const p = this.#splitter.takeProgress();
    if (p !== undefined) sink.progress(p, this.#splitter.nextLine);
  }

  async #emit(sink: SourceSink, batch: LineBatch | null): Promise<void> {
    if (batch) await sink.batch(batch);
  }
}
