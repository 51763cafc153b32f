/**
 * Following a remote file without SFTP: `tail -c +OFFSET -F` on an exec channel, for nodes whose
 * sshd has no `Subsystem sftp`. The byte offset is still ours (the cursor the SSH source
 * shares), so a reconnect resumes at the exact byte; after finish() one plain `tail -c +OFFSET`
 * drains the rest. Each file takes a channel of its own here, so sshd's MaxSessions applies.
 * @module
 */
import type { LineSplitter } from "../core/line_splitter.ts";
import { UserFacingError } from "../errors.ts";
import type { SourceSink } from "./source.ts";
import { type Channel, type RemoteShell, shQuote } from "./remote_shell.ts";

/** The read position the SSH source and its tail share. */
export interface TailCursor {
  /** Bytes of the file received so far (= the next offset to ask for). */
  received: number;
  readonly splitter: LineSplitter;
  /** The job has ended: read what is left, then stop. */
  readonly finishing: boolean;
}

/** Options for {@link RemoteTail}. */
export interface RemoteTailOptions {
  pool: RemoteShell;
  follow: boolean;
  signal?: AbortSignal;
  progress?: boolean;
  debug?: (m: string) => void;
}

/** `tail -F` of one file on one node, at the cursor's offset. */
export class RemoteTail {
  #channel?: Channel;

  constructor(
    readonly host: string,
    readonly path: string,
    readonly opts: RemoteTailOptions,
    readonly cursor: TailCursor,
  ) {}

  /** Close the following channel (on finish, for the drain pass; on abort). */
  stop(): void {
    try {
      this.#channel?.signal?.("TERM");
      this.#channel?.close();
    } catch { /* closed */ }
  }

  /**
   * Follow until drained after finish (or once, without follow). Throws on a lost connection
   * (the caller retries) and a UserFacingError when the file cannot be read.
   */
  async follow(sink: SourceSink, onLive: () => void): Promise<void> {
    let first = true;
    while (!this.opts.signal?.aborted) {
      const draining = this.cursor.finishing || !this.opts.follow;
      const from = this.cursor.received + 1;
      const q = shQuote(this.path);
      const cmd = draining ? `tail -c +${from} -- ${q}` : `tail -s 0.1 -c +${from} -F -- ${q}`;
      const result = await this.#runChannel(cmd, sink, first ? onLive : undefined);
      first = false;
      if (result === "permission") {
        throw new UserFacingError(`permission denied reading "${this.path}" on ${this.host}`, {
          hint: "the file belongs to another user or its directory is not readable",
        });
      }
      if (draining) return;
    }
  }

  /** Run one tail command until its channel closes. */
  async #runChannel(
    cmd: string,
    sink: SourceSink,
    onOpen?: () => void,
  ): Promise<"closed" | "permission"> {
    const c = this.cursor;
    this.opts.debug?.(`ssh ${this.host}: ${cmd}`);
    const ch = await this.opts.pool.exec(this.host, cmd, (why) => {
      sink.status({ state: "waiting", message: `"${this.path}": ${why}` });
    });
    this.#channel = ch;
    const following = cmd.includes(" -F ");
    if (following && c.finishing) ch.close();
    onOpen?.();
    let chain: Promise<void> = Promise.resolve();
    const emit = (b: ReturnType<LineSplitter["push"]>) => b ? sink.batch(b) : undefined;
    const restart = () => {
      // The file was truncated or replaced: read it again from the top, as tail does.
      chain = chain.then(async () => {
        await emit(c.splitter.flush());
        c.splitter.resetOffset(0);
      });
      c.received = 0;
    };
    let permission = false;
    let stderr = "";
    const dec = new TextDecoder();
    return await new Promise((resolve, reject) => {
      ch.on("data", (chunk: Uint8Array) => {
        c.received += chunk.length;
        const batch = c.splitter.push(chunk);
        if (!batch) return this.#progress(sink);
        ch.pause();
        chain = chain.then(() => emit(batch)).then(() => {
          this.#progress(sink);
          ch.resume();
        });
      });
      ch.stderr.on("data", (chunk: Uint8Array) => {
        stderr += dec.decode(chunk, { stream: true });
        let nl;
        while ((nl = stderr.indexOf("\n")) !== -1) {
          const line = stderr.slice(0, nl).replace(/^tail: /, "");
          stderr = stderr.slice(nl + 1);
          if (/file truncated/.test(line)) {
            restart();
            sink.status({
              state: "live",
              rewritten: true,
              message:
                `"${this.path}" was truncated on ${this.host}; reading it again from the start`,
            });
          } else if (/Permission denied/.test(line)) {
            permission = true;
            ch.close(); // tail -F would keep trying
          } else if (/No such file|cannot open/.test(line)) {
            sink.status({
              state: "waiting",
              message: `waiting for "${this.path}" to appear on ${this.host}`,
            });
          } else if (/has appeared|has been replaced/.test(line)) {
            // Either way tail reads the new file from its first byte (even after -c +N).
            restart();
            sink.status({ state: "live", message: line });
          }
        }
      });
      ch.on("error", (e: Error) => reject(e));
      ch.on("close", (code: number | null) => {
        this.opts.debug?.(`ssh ${this.host}: tail closed (code ${code})`);
        if (this.#channel === ch) this.#channel = undefined;
        chain.then(() => {
          if (permission) resolve("permission");
          else if (following && !c.finishing && !this.opts.signal?.aborted) {
            // tail -F ends only when told to: anything else is a lost connection (or tail).
            reject(
              new Error(
                code === null ? "the connection was lost" : `remote tail exited with code ${code}`,
              ),
            );
          } else resolve("closed");
        }, reject);
      });
    });
  }

  #progress(sink: SourceSink): void {
    if (!this.opts.progress || !sink.progress) return;
    const p = this.cursor.splitter.takeProgress();
    if (p !== undefined) sink.progress(p, this.cursor.splitter.nextLine);
  }
}
