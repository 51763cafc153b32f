/**
 * Forward lines to syslog as RFC 5424 messages: `syslog://HOST[:PORT]` over UDP (default port
 * 514, messages over 8 KiB truncated and marked) or `syslog+tcp://HOST[:PORT]` over TCP with
 * octet-counted framing (RFC 6587). Facility user; severity info for stdout, warning for stderr,
 * err for lines matching the "errors" highlight filter.
 *
 * Sending never blocks streaming: lines go into a bounded queue per destination that a pump
 * drains; while a destination is down the oldest messages are dropped, counted and reported.
 * @module
 */
import type { DebugLog } from "../core/debug_log.ts";
import { writeAll } from "../platform/write_all.ts";
import { sleep } from "../platform/sleep.ts";

/** Syslog severities used by s9s. */
export const SEVERITY = { err: 3, warning: 4, info: 6 } as const;
/** Facility "user". */
const FACILITY_USER = 1;
/** Largest UDP message sent; longer ones are cut and marked. */
export const UDP_MAX_BYTES = 8192;
/** Our private enterprise number for structured data (the one RFC 5424 uses in examples). */
const SD_ID = "s9s@32473";

/** One line to format. */
export interface SyslogLine {
  jobId: string;
  stream: string;
  lineNum: number;
  content: string;
  /** Epoch ms. */
  time: number;
  severity: number;
}

/** Header fields that do not change per line. */
export interface SyslogHeader {
  hostname: string;
  pid: number;
}

function sdEscape(v: string): string {
  return v.replace(/[\\"\]]/g, (c) => "\\" + c);
}

const enc = new TextEncoder();
const TRUNC_MARK = enc.encode(" [truncated]");

/**
 * Format one RFC 5424 message:
 * `<PRI>1 TIMESTAMP HOSTNAME s9s PID - [s9s@32473 job_id="…" stream="…" line_num="…"] content`.
 * With `maxBytes`, a longer message is cut at a character boundary, gets `truncated="true"` in
 * its structured data and ends with " [truncated]".
 */
export function formatSyslog(
  line: SyslogLine,
  header: SyslogHeader,
  maxBytes?: number,
): Uint8Array {
  const pri = FACILITY_USER * 8 + line.severity;
  const head = `<${pri}>1 ${new Date(line.time).toISOString()} ${
    header.hostname || "-"
  } s9s ${header.pid} - `;
  const sd = `[${SD_ID} job_id="${sdEscape(line.jobId)}" stream="${
    sdEscape(line.stream)
  }" line_num="${line.lineNum}"`;
  const full = enc.encode(`${head}${sd}] ${line.content}`);
  if (maxBytes === undefined || full.length <= maxBytes) return full;
  const prefix = enc.encode(`${head}${sd} truncated="true"] `);
  const body = enc.encode(line.content);
  let cut = Math.max(0, maxBytes - prefix.length - TRUNC_MARK.length);
  while (cut > 0 && (body[cut] & 0xc0) === 0x80) cut--; // never split a UTF-8 character
  const out = new Uint8Array(prefix.length + cut + TRUNC_MARK.length);
  out.set(prefix);
  out.set(body.subarray(0, cut), prefix.length);
  out.set(TRUNC_MARK, prefix.length + cut);
  return out;
}

/** Frame a message for TCP: "LEN SP MSG" (RFC 6587 octet counting). */
export function octetCounted(msg: Uint8Array): Uint8Array {
  const head = enc.encode(`${msg.length} `);
  const out = new Uint8Array(head.length + msg.length);
  out.set(head);
  out.set(msg, head.length);
  return out;
}

/** A fixed-size FIFO that drops its oldest entry when full, counting the drops. */
export class BoundedQueue<T> {
  #items: (T | undefined)[];
  #head = 0;
  #size = 0;
  /** Entries dropped since the counter was last reset. */
  dropped = 0;

  constructor(readonly capacity: number) {
    this.#items = new Array(capacity);
  }

  get size(): number {
    return this.#size;
  }

  push(item: T): void {
    if (this.#size === this.capacity) {
      this.#head = (this.#head + 1) % this.capacity;
      this.#size--;
      this.dropped++;
    }
    this.#items[(this.#head + this.#size) % this.capacity] = item;
    this.#size++;
  }

  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.capacity;
    this.#size--;
    return item;
  }
}

/** Where to send. */
export interface SyslogTarget {
  transport: "udp" | "tcp";
  hostname: string;
  port: number;
  /** The user's URL, for messages. */
  display: string;
}

/** Options for {@link SyslogForwarder}. */
export interface ForwarderOptions {
  debug: DebugLog;
  warn: (msg: string) => void;
  /** Messages kept while the destination is slow or down (default 10000). */
  queueSize?: number;
}

/** Sends formatted messages to one syslog destination from a bounded queue. */
export class SyslogForwarder {
  readonly header: SyslogHeader = { hostname: Deno.hostname(), pid: Deno.pid };
  #queue: BoundedQueue<SyslogLine>;
  #wake?: () => void;
  #closing = false;
  #pump: Promise<void>;
  #failing = false;
  #reportedDrops = 0;
  #conn?: Deno.TcpConn;
  #udp?: import("node:dgram").Socket;

  constructor(readonly target: SyslogTarget, readonly o: ForwarderOptions) {
    this.#queue = new BoundedQueue(o.queueSize ?? 10_000);
    this.#pump = this.#run();
  }

  /** Queue one line (never blocks). */
  send(line: SyslogLine): void {
    this.#queue.push(line);
    this.#wake?.();
  }

  /** Send what is queued (giving up after `timeoutMs`), then close the connection. */
  async close(timeoutMs = 3000): Promise<void> {
    this.#closing = true;
    this.#wake?.();
    let t: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.#pump, new Promise((r) => t = setTimeout(r, timeoutMs))]);
    clearTimeout(t);
    this.#closing = true;
    this.#reportDrops(true);
    try {
      this.#conn?.close();
    } catch { /* already closed */ }
    this.#udp?.close();
  }

  #reportDrops(final = false): void {
    const n = this.#queue.dropped + (final ? this.#queue.size : 0);
    if (n > this.#reportedDrops) {
      this.o.warn(
        `syslog: dropped ${
          n - this.#reportedDrops
        } message(s) for ${this.target.display} while it was unreachable or slow`,
      );
      this.#reportedDrops = n;
    }
  }

  async #run(): Promise<void> {
    let backoff = 500;
    while (true) {
      if (this.#queue.size === 0) {
        if (this.#closing) return;
        await new Promise<void>((r) => this.#wake = r);
        this.#wake = undefined;
        continue;
      }
      try {
        await this.#sendSome();
        if (this.#failing) {
          this.#failing = false;
          this.o.debug.log("SYSLOG", `${this.target.display} is reachable again`);
          this.#reportDrops();
        }
        backoff = 500;
      } catch (err) {
        this.#conn = undefined;
        const msg = (err as Error).message;
        this.o.debug.log("SYSLOG", `send to ${this.target.display} failed: ${msg}`);
        if (!this.#failing) {
          this.#failing = true;
          this.o.warn(`syslog: cannot send to ${this.target.display}: ${msg}; retrying`);
        }
        if (this.#closing) return;
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 30_000);
      }
    }
  }

  /** Send up to a batch of queued messages. */
  async #sendSome(): Promise<void> {
    if (this.target.transport === "tcp") {
      this.#conn ??= await Deno.connect({ hostname: this.target.hostname, port: this.target.port });
      const parts: Uint8Array[] = [];
      let bytes = 0;
      while (bytes < 256 * 1024) {
        const line = this.#queue.shift();
        if (!line) break;
        const framed = octetCounted(formatSyslog(line, this.header));
        parts.push(framed);
        bytes += framed.length;
      }
      const buf = new Uint8Array(bytes);
      let off = 0;
      for (const p of parts) {
        buf.set(p, off);
        off += p.length;
      }
      try {
        await writeAll(this.#conn, buf);
      } catch (err) {
        // Unknown how much arrived: count the batch as dropped rather than risk duplicates.
        this.#queue.dropped += parts.length;
        throw err;
      }
      return;
    }
    if (!this.#udp) {
      const dgram = await import("node:dgram");
      this.#udp = dgram.createSocket(this.target.hostname.includes(":") ? "udp6" : "udp4");
      this.#udp.on("error", (err) => this.o.debug.log("SYSLOG", `udp: ${err.message}`));
    }
    const sock = this.#udp;
    for (let i = 0; i < 256; i++) {
      const line = this.#queue.shift();
      if (!line) break;
      const msg = formatSyslog(line, this.header, UDP_MAX_BYTES);
      await new Promise<void>((resolve, reject) =>
        sock.send(
          msg,
          this.target.port,
          this.target.hostname,
          (err) => err ? reject(err) : resolve(),
        )
      );
    }
  }
}
