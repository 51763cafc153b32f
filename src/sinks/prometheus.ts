/**
 * Streaming metrics for Prometheus, two ways:
 * - push: `prometheus://HOST:PORT[/PATH]` sends the Prometheus remote-write protocol (a
 *   hand-encoded protobuf `WriteRequest`, snappy-framed) to `http://HOST:PORT/api/v1/write` every
 *   few seconds and once at close. The server needs `--web.enable-remote-write-receiver`.
 * - scrape: `prometheus+scrape://HOST:PORT` (alias `prometheus+http://`) serves `GET /metrics` in
 *   the text exposition format on HOST:PORT for Prometheus to scrape.
 *
 * Pushing never blocks streaming: it sends the latest values (counters are cumulative, so a push
 * that fails loses nothing but resolution), warns once, and retries with backoff.
 * @module
 */
import type { DebugLog } from "../core/debug_log.ts";
import { UserFacingError } from "../errors.ts";
import { byCodeUnit } from "../core/code_unit_order.ts";

/** One metric's kind and help text. */
interface MetricInfo {
  type: "counter" | "gauge";
  help: string;
}

/** The metrics s9s exports. */
export const METRICS: Record<string, MetricInfo> = {
  s9s_lines_total: { type: "counter", help: "Lines read from a job's output stream" },
  s9s_matched_lines_total: {
    type: "counter",
    help: "Lines that passed the --filter/--exclude filters",
  },
  s9s_bytes_total: { type: "counter", help: "Bytes of output read from a stream" },
  s9s_stream_up: { type: "gauge", help: "1 while a stream is live, 0 once it has ended" },
  s9s_discarded_lines_total: {
    type: "counter",
    help: "Lines forced out of the scroll-back buffer by its caps",
  },
  s9s_alerts_total: { type: "counter", help: "Alerts fired (after cooldown)" },
  s9s_alerts_suppressed_total: {
    type: "counter",
    help: "Alert matches suppressed by the alert's cooldown",
  },
};

/** A label set, by name. */
export type Labels = Record<string, string>;

/** One time series: a metric name, its labels and the current value. */
export interface Series {
  name: string;
  labels: Labels;
  value: number;
}

/** The current values of every metric, updated by the listeners, read by push and scrape. */
export class MetricRegistry {
  #series = new Map<string, Series>();

  #get(name: string, labels: Labels): Series {
    const key = name + JSON.stringify(labels);
    let s = this.#series.get(key);
    if (!s) this.#series.set(key, s = { name, labels, value: 0 });
    return s;
  }

  /** Add to a counter. */
  inc(name: string, labels: Labels, by = 1): void {
    this.#get(name, labels).value += by;
  }

  /** Set a gauge (or a counter mirrored from elsewhere). */
  set(name: string, labels: Labels, value: number): void {
    this.#get(name, labels).value = value;
  }

  /** Every series, in creation order. */
  get series(): Series[] {
    return [...this.#series.values()];
  }
}

// ---------------------------------------------------------------- text exposition format

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

/** Render the registry in Prometheus' text exposition format (version 0.0.4). */
export function exposition(registry: MetricRegistry): string {
  const byName = new Map<string, Series[]>();
  for (const s of registry.series) {
    let list = byName.get(s.name);
    if (!list) byName.set(s.name, list = []);
    list.push(s);
  }
  let out = "";
  for (const [name, list] of byName) {
    const info = METRICS[name];
    if (info) out += `# HELP ${name} ${info.help}\n# TYPE ${name} ${info.type}\n`;
    for (const s of list) {
      const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
      out += `${name}${labels.length ? `{${labels.join(",")}}` : ""} ${s.value}\n`;
    }
  }
  return out;
}

// ---------------------------------------------------------------- protobuf and snappy

/** A growable byte buffer for the encoders. */
class Bytes {
  buf = new Uint8Array(256);
  len = 0;
  #ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
  byte(b: number): void {
    this.#ensure(1);
    this.buf[this.len++] = b;
  }
  bytes(b: Uint8Array): void {
    this.#ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  /** An unsigned varint; exact for integers up to 2^53 (no 32-bit bitwise arithmetic). */
  varint(n: number): void {
    while (n >= 0x80) {
      this.byte((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    this.byte(n);
  }
  get view(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

const utf8 = new TextEncoder();

function lengthDelimited(out: Bytes, field: number, body: Uint8Array): void {
  out.varint((field << 3) | 2);
  out.varint(body.length);
  out.bytes(body);
}

/** A sample to push: a series' labels (including `__name__`), value and time (ms). */
export interface TimeSeries {
  labels: [string, string][];
  samples: { value: number; timestamp: number }[];
}

/**
 * Encode a remote-write `WriteRequest { repeated TimeSeries timeseries = 1 }` where
 * `TimeSeries { repeated Label labels = 1; repeated Sample samples = 2 }`,
 * `Label { string name = 1; string value = 2 }` and
 * `Sample { double value = 1; int64 timestamp = 2 }`.
 */
export function encodeWriteRequest(series: TimeSeries[]): Uint8Array<ArrayBuffer> {
  const out = new Bytes();
  const ts = new Bytes();
  const part = new Bytes();
  const f64 = new DataView(new ArrayBuffer(8));
  for (const s of series) {
    ts.len = 0;
    for (const [name, value] of s.labels) {
      part.len = 0;
      lengthDelimited(part, 1, utf8.encode(name));
      lengthDelimited(part, 2, utf8.encode(value));
      lengthDelimited(ts, 1, part.view);
    }
    for (const sample of s.samples) {
      part.len = 0;
      part.byte((1 << 3) | 1); // field 1, 64-bit
      f64.setFloat64(0, sample.value, true);
      part.bytes(new Uint8Array(f64.buffer.slice(0)));
      part.byte(2 << 3); // field 2, varint
      part.varint(sample.timestamp);
      lengthDelimited(ts, 2, part.view);
    }
    lengthDelimited(out, 1, ts.view);
  }
  return new Uint8Array(out.view);
}

/**
 * Snappy block format made of literals only: the uncompressed length as a varint, then literal
 * elements of at most 64 KiB. Valid for every snappy decoder; metrics payloads are small, so
 * compression is not worth the code.
 */
export function snappyLiteral(data: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Bytes();
  out.varint(data.length);
  for (let pos = 0; pos < data.length; pos += 65536) {
    const chunk = data.subarray(pos, Math.min(pos + 65536, data.length));
    const n = chunk.length - 1;
    if (n < 60) out.byte(n << 2);
    else if (n < 0x100) {
      out.byte(60 << 2);
      out.byte(n);
    } else {
      out.byte(61 << 2);
      out.byte(n & 0xff);
      out.byte(n >> 8);
    }
    out.bytes(chunk);
  }
  return new Uint8Array(out.view);
}

/** The registry as remote-write series, labels sorted by name as Prometheus requires. */
export function toTimeSeries(
  registry: MetricRegistry,
  timestamp: number,
  extra: Labels,
): TimeSeries[] {
  return registry.series.map((s) => {
    const labels = Object.entries({ ...extra, ...s.labels, __name__: s.name });
    labels.sort((a, b) => byCodeUnit(a[0], b[0]));
    return { labels, samples: [{ value: s.value, timestamp }] };
  });
}

// ---------------------------------------------------------------- push and scrape

/** Options for {@link startMetricsPush}. */
export interface PushOptions {
  /** Remote-write endpoint, e.g. http://localhost:9090/api/v1/write. */
  url: string;
  /** The user's URL, for messages. */
  display: string;
  /** Push interval in ms. */
  intervalMs: number;
  debug: DebugLog;
  warn: (msg: string) => void;
}

/** Push the registry to a remote-write receiver on a timer. Returns a close that pushes once more. */
export function startMetricsPush(
  registry: MetricRegistry,
  o: PushOptions,
): () => Promise<void> {
  const instance = `${Deno.hostname()}:${Deno.pid}`;
  let last = 0;
  let failures = 0;
  let warned = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  let inflight: Promise<void> = Promise.resolve();

  async function push(timeoutMs: number): Promise<void> {
    // Prometheus rejects a sample not newer than the last one of its series.
    const now = Math.max(Date.now(), last + 1);
    last = now;
    const body = snappyLiteral(
      encodeWriteRequest(toTimeSeries(registry, now, { instance, job: "s9s" })),
    );
    try {
      const res = await fetch(o.url, {
        method: "POST",
        body,
        headers: {
          "Content-Encoding": "snappy",
          "Content-Type": "application/x-protobuf",
          "User-Agent": "s9s",
          "X-Prometheus-Remote-Write-Version": "0.1.0",
        },
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`HTTP ${res.status}: ${text.trim().slice(0, 200)}`);
      if (failures > 0) {
        o.debug.log("METRICS", `push to ${o.url} works again after ${failures} failure(s)`);
        if (warned) o.warn(`metrics: ${o.display} is reachable again`);
      }
      failures = 0;
      warned = false;
    } catch (err) {
      failures++;
      const msg = (err as Error).message;
      o.debug.log("METRICS", `push to ${o.url} failed (${failures}): ${msg}`);
      if (!warned) {
        warned = true;
        o.warn(
          `metrics: cannot push to ${o.display}: ${msg}; retrying (is Prometheus running with --web.enable-remote-write-receiver?)`,
        );
      }
    }
  }

  function schedule(): void {
    if (closed) return;
    // Back off while the server is down: interval × 2^failures, at most a minute.
    const delay = Math.min(o.intervalMs * 2 ** Math.min(failures, 6), 60_000);
    timer = setTimeout(() => {
      inflight = push(10_000).then(schedule);
    }, Math.max(delay, o.intervalMs));
    Deno.unrefTimer(timer as unknown as number);
  }
  schedule();

  return async () => {
    closed = true;
    clearTimeout(timer);
    await inflight;
    await push(3_000);
  };
}

/** Serve `GET /metrics` on host:port. Returns a close. */
export function serveMetrics(
  registry: MetricRegistry,
  o: { hostname: string; port: number; display: string; debug: DebugLog },
): () => Promise<void> {
  const ac = new AbortController();
  let server: Deno.HttpServer;
  try {
    server = Deno.serve({
      hostname: o.hostname,
      port: o.port,
      signal: ac.signal,
      onListen: () => o.debug.log("METRICS", `serving /metrics on ${o.hostname}:${o.port}`),
      onError: (err) => {
        o.debug.log("METRICS", `scrape failed: ${(err as Error).message}`);
        return new Response("internal error\n", { status: 500 });
      },
    }, (req) => {
      const path = new URL(req.url).pathname;
      if (path !== "/metrics" && path !== "/") return new Response("not found\n", { status: 404 });
      return new Response(exposition(registry), {
        headers: { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" },
      });
    });
  } catch (err) {
    throw new UserFacingError(`cannot serve metrics on ${o.display}: ${(err as Error).message}`, {
      hint: "pick a free port, e.g. --export-metrics prometheus+scrape://127.0.0.1:9464",
      cause: err,
    });
  }
  return async () => {
    ac.abort();
    await server.finished.catch(() => {});
  };
}
