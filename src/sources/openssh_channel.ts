/**
 * One remote command over an OpenSSH master, seen as the exec channel the SSH sources already
 * drive (data, stderr, pause/resume, close): an `ssh -S SOCKET host 'sh -c …'` process. The
 * command first writes a marker line to stderr, so that {@link OpenSshChannel.opened} knows the
 * session was opened (or what ssh said instead) before any of the file's bytes arrive.
 * @module
 */
import type { Channel } from "./remote_shell.ts";

const MARKER = "s9s-open\n";
/** Bytes read from the ssh client's stdout at a time (what a pipe holds). */
const READ_BYTES = 64 * 1024;

type DataCb = (chunk: Uint8Array) => void;
type CloseCb = (code: number | null, signal?: string) => void;
type ErrorCb = (err: Error) => void;

/** An ssh client process running one command over a master connection. */
export class OpenSshChannel implements Channel {
  /** true once the remote command runs; else what ssh wrote before it gave up. */
  readonly opened: Promise<true | string>;
  readonly stderr: { on(event: "data", cb: DataCb): unknown };
  #child: Deno.ChildProcess;
  #data: DataCb[] = [];
  #errData: DataCb[] = [];
  /** The command's stderr before anyone listened. */
  #errPending: Uint8Array[] = [];
  #close: CloseCb[] = [];
  #error: ErrorCb[] = [];
  #paused?: { promise: Promise<void>; resolve: () => void };
  #closedCode?: { code: number | null; signal?: string };

  constructor(ssh: string, args: string[], opts: { debug?: (m: string) => void } = {}) {
    opts.debug?.(`openssh: ${ssh} ${args.join(" ")}`);
    this.#child = new Deno.Command(ssh, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.stderr = {
      on: (_e, cb) => {
        this.#errData.push(cb);
        for (const c of this.#errPending.splice(0)) cb(c);
      },
    };
    this.pause(); // until someone listens for data: no byte may be read before that
    let markOpen!: (v: true | string) => void;
    this.opened = new Promise((resolve) => (markOpen = resolve));
    const out = this.#pump(this.#child.stdout, (c) => this.#emit(this.#data, c));
    const err = this.#stderr(markOpen);
    Promise.all([this.#child.status, out, err]).then(([st]) => {
      const code = st.signal ? null : st.code;
      this.#closedCode = { code, signal: st.signal ?? undefined };
      for (const cb of this.#close) cb(code, st.signal ?? undefined);
    }, (e) => {
      for (const cb of this.#error) cb(e as Error);
    });
  }

  on(event: "data", cb: DataCb): Channel;
  on(event: "close", cb: CloseCb): Channel;
  on(event: "error", cb: ErrorCb): Channel;
  on(event: string, cb: DataCb | CloseCb | ErrorCb): Channel {
    if (event === "data") {
      this.#data.push(cb as DataCb);
      this.resume();
    } else if (event === "error") this.#error.push(cb as ErrorCb);
    else if (this.#closedCode) (cb as CloseCb)(this.#closedCode.code, this.#closedCode.signal);
    else this.#close.push(cb as CloseCb);
    return this;
  }

  pause(): void {
    if (this.#paused) return;
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.#paused = { promise, resolve };
  }

  resume(): void {
    const p = this.#paused;
    this.#paused = undefined;
    p?.resolve();
  }

  /** End the command: the ssh client goes, the master closes the session. */
  close(): void {
    this.resume();
    try {
      this.#child.kill("SIGTERM");
    } catch { /* already ended */ }
  }

  signal(_name: string): void {
    this.close();
  }

  #emit(cbs: DataCb[], chunk: Uint8Array): void {
    for (const cb of cbs) cb(chunk);
  }

  #stderrOut(chunk: Uint8Array): void {
    if (this.#errData.length) this.#emit(this.#errData, chunk);
    else this.#errPending.push(chunk);
  }

  /**
   * Read a pipe to its end; stdout (`pausable`) holds back while paused (the backpressure) and is
   * read into one buffer used again for every read — its listeners take each chunk during the
   * call (see Channel); a chunk kept longer is found detached, never silently overwritten. The
   * default reader made a new 64 KiB buffer per read: 300 MB over 20 sessions, ~4,600 buffers of
   * garbage (CPU with its ssh processes −6 %). stderr's chunks may be kept until someone listens.
   */
  async #pump(stream: ReadableStream<Uint8Array>, cb: DataCb, pausable = true): Promise<void> {
    const byob = pausable ? stream.getReader({ mode: "byob" }) : undefined;
    const reader = byob ?? stream.getReader();
    let buf = new ArrayBuffer(READ_BYTES);
    try {
      while (true) {
        if (pausable && this.#paused) await this.#paused.promise;
        // (a BYOB read takes the buffer over and hands it back in `value`)
        const { value, done } = byob
          ? await byob.read(new Uint8Array(buf))
          : await (reader as ReadableStreamDefaultReader<Uint8Array>).read();
        if (done || !value) return;
        cb(value);
        if (byob) buf = value.buffer as ArrayBuffer;
      }
    } finally {
      reader.releaseLock();
    }
  }

  /** stderr: up to the marker it is ssh's (kept for `opened`), after it the command's. */
  async #stderr(markOpen: (v: true | string) => void): Promise<void> {
    let head = new Uint8Array(0);
    let open = false;
    const dec = new TextDecoder();
    await this.#pump(this.#child.stderr, (chunk) => {
      if (open) return this.#stderrOut(chunk);
      const all = new Uint8Array(head.length + chunk.length);
      all.set(head);
      all.set(chunk, head.length);
      head = all;
      const text = dec.decode(head);
      const at = text.indexOf(MARKER);
      if (at === -1) return;
      open = true;
      markOpen(true);
      const rest = head.subarray(
        new TextEncoder().encode(text.slice(0, at + MARKER.length)).length,
      );
      if (rest.length) this.#stderrOut(rest);
    }, false);
    if (!open) markOpen(dec.decode(head).trim() || "ssh ended before the command started");
  }
}
