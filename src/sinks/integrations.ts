/**
 * Wires the monitoring integrations to a {@link StreamManager}: metrics for Prometheus
 * (`--export-metrics`), syslog forwarding (`--forward`, repeatable) and the configured
 * `streaming.alerts`. Nothing is imported, started or subscribed unless one is configured.
 *
 * URL forms:
 * - `prometheus://HOST[:PORT][/PATH][?interval=5s]`: push with the remote-write protocol to
 *   `http://HOST:PORT/api/v1/write` (port 9090, interval 5s by default).
 * - `prometheus+scrape://HOST[:PORT]` (alias `prometheus+http://`): serve `GET /metrics` on
 *   HOST:PORT (default 9464) for Prometheus to scrape.
 * - `syslog://HOST[:PORT]` or `syslog+udp://…`: RFC 5424 over UDP (port 514 by default).
 * - `syslog+tcp://HOST[:PORT]`: RFC 5424 over TCP, octet-counted (port 514 by default).
 * @module
 */
import type { Config } from "../config/schema.ts";
import { parseDuration } from "../config/units.ts";
import type { DebugLog } from "../core/debug_log.ts";
import type { StreamHandle, StreamListener, StreamManager } from "../engine/stream_manager.ts";
import { UsageError } from "../errors.ts";
import type { SyslogTarget } from "./syslog.ts";
import { lazyImport } from "../platform/lazy_import.ts";
import { batchLines } from "../core/line_batch.ts";
import { selectedCount } from "../engine/selected_text.ts";

/** Options for {@link attachIntegrations}. */
export interface IntegrationOptions {
  /** `--export-metrics` URL. */
  exportMetrics?: string;
  /** `--forward` URLs. */
  forward?: string[];
  config: Config;
  debug: DebugLog;
  /** One-line runtime warnings (a destination is down, messages were dropped). */
  warn: (msg: string) => void;
  /** Where alert notifications go (default: stderr); the TUI passes its status line. */
  notice?: (msg: string) => void;
}

/** A parsed `--export-metrics` URL. */
export type MetricsTarget =
  | { mode: "push"; url: string; intervalMs: number; display: string }
  | { mode: "scrape"; hostname: string; port: number; display: string };

const METRICS_HINT =
  "use --export-metrics prometheus://HOST:PORT (remote write) or prometheus+scrape://HOST:PORT (serve /metrics)";
const FORWARD_HINT = "use --forward syslog://HOST[:PORT] (UDP) or syslog+tcp://HOST[:PORT]";

function parseUrl(text: string, flag: string, hint: string): URL {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new UsageError(`${flag}: "${text}" is not a URL`, { hint });
  }
  if (!u.hostname) throw new UsageError(`${flag}: "${text}" has no host`, { hint });
  if (u.username || u.password) {
    throw new UsageError(`${flag}: "${text}": credentials in the URL are not supported`, { hint });
  }
  return u;
}

function portOf(u: URL, fallback: number): number {
  return u.port ? Number(u.port) : fallback;
}

/** Strip the brackets of an IPv6 host. */
function bare(host: string): string {
  return host.startsWith("[") ? host.slice(1, -1) : host;
}

/** Parse `--export-metrics`. */
export function parseMetricsUrl(text: string): MetricsTarget {
  const u = parseUrl(text, "--export-metrics", METRICS_HINT);
  if (u.protocol === "prometheus:") {
    const raw = u.searchParams.get("interval");
    const intervalMs = raw === null ? 5000 : parseDuration(raw);
    if (intervalMs === undefined || intervalMs < 100) {
      throw new UsageError(`--export-metrics: bad interval "${raw}" in "${text}"`, {
        hint: "give a duration of at least 100ms, e.g. prometheus://localhost:9090?interval=10s",
      });
    }
    const path = u.pathname && u.pathname !== "/" ? u.pathname : "/api/v1/write";
    return {
      mode: "push",
      url: `http://${u.hostname}:${portOf(u, 9090)}${path}`,
      intervalMs,
      display: text,
    };
  }
  if (u.protocol === "prometheus+scrape:" || u.protocol === "prometheus+http:") {
    if (u.pathname && u.pathname !== "/" && u.pathname !== "/metrics") {
      throw new UsageError(`--export-metrics: s9s serves only /metrics, not "${u.pathname}"`, {
        hint: METRICS_HINT,
      });
    }
    return { mode: "scrape", hostname: bare(u.hostname), port: portOf(u, 9464), display: text };
  }
  throw new UsageError(
    `--export-metrics: unsupported scheme "${u.protocol.slice(0, -1)}" in "${text}"`,
    {
      hint: METRICS_HINT,
    },
  );
}

/** Parse one `--forward` URL. */
export function parseForwardUrl(text: string): SyslogTarget {
  const u = parseUrl(text, "--forward", FORWARD_HINT);
  const transport = u.protocol === "syslog:" || u.protocol === "syslog+udp:"
    ? "udp"
    : u.protocol === "syslog+tcp:"
    ? "tcp"
    : undefined;
  if (!transport) {
    throw new UsageError(
      `--forward: unsupported scheme "${u.protocol.slice(0, -1)}" in "${text}"`,
      {
        hint: FORWARD_HINT,
      },
    );
  }
  if (u.pathname && u.pathname !== "/") {
    throw new UsageError(`--forward: "${text}" has a path; syslog URLs are only HOST[:PORT]`, {
      hint: FORWARD_HINT,
    });
  }
  return { transport, hostname: bare(u.hostname), port: portOf(u, 514), display: text };
}

/**
 * Attach metrics, syslog forwarding and alerts to a manager. Validates every URL and alert
 * first (a bad one is a {@link UsageError}); returns an async close that unsubscribes and
 * flushes (a last metrics push, queued syslog messages, pending webhooks and commands).
 */
export async function attachIntegrations(
  manager: StreamManager,
  o: IntegrationOptions,
): Promise<() => Promise<void>> {
  const metricsTarget = o.exportMetrics ? parseMetricsUrl(o.exportMetrics) : undefined;
  const forwardTargets = (o.forward ?? []).map(parseForwardUrl);
  const alertConfigs = o.config.streaming.alerts;
  if (!metricsTarget && forwardTargets.length === 0 && alertConfigs.length === 0) {
    return () => Promise.resolve();
  }

  const closers: (() => Promise<void>)[] = [];
  const listener: StreamListener = {};
  const onLines: NonNullable<StreamListener["onLines"]>[] = [];

  // Alerts first: validation errors must come before anything starts.
  let alerts: import("./alerts.ts").AlertEngine | undefined;
  let countAlert: ((alert: string, fired: boolean) => void) | undefined;
  if (alertConfigs.length) {
    const { AlertEngine } = await lazyImport<typeof import("./alerts.ts")>("src/sinks/alerts.ts");
    alerts = new AlertEngine(alertConfigs, {
      debug: o.debug,
      warn: o.warn,
      notice: o.notice,
      onCount: (a, fired) => countAlert?.(a, fired),
    });
    const engine = alerts;
    onLines.push((s, batch) => engine.scan(s.jobId, s.type, batch));
    closers.push(() => engine.close());
  }

  if (metricsTarget) {
    const prom = await lazyImport<typeof import("./prometheus.ts")>("src/sinks/prometheus.ts");
    const registry = new prom.MetricRegistry();
    const labels = (s: StreamHandle) => ({ job_id: s.jobId, stream: s.type });
    const touch = (s: StreamHandle) => {
      const l = labels(s);
      for (const name of ["s9s_lines_total", "s9s_matched_lines_total", "s9s_bytes_total"]) {
        registry.inc(name, l, 0);
      }
      registry.set("s9s_discarded_lines_total", l, s.discarded);
      registry.set("s9s_stream_up", l, s.state === "ended" || s.state === "error" ? 0 : 1);
    };
    for (const a of alertConfigs.map((a, i) => a.name ?? `alert ${i + 1}`)) {
      registry.inc("s9s_alerts_total", { alert: a }, 0);
    }
    countAlert = (alert, fired) =>
      registry.inc(fired ? "s9s_alerts_total" : "s9s_alerts_suppressed_total", { alert });
    listener.onStart = touch;
    listener.onStatus = touch;
    listener.onEnd = touch;
    onLines.push((s, batch, sel) => {
      const l = labels(s);
      registry.inc("s9s_lines_total", l, batch.count);
      registry.inc("s9s_matched_lines_total", l, sel.all ? batch.count : selectedCount(sel));
      registry.inc("s9s_bytes_total", l, batch.endOffset - batch.startOffset);
      registry.set("s9s_discarded_lines_total", l, s.discarded);
      registry.set("s9s_stream_up", l, 1);
    });
    const close = metricsTarget.mode === "push"
      ? prom.startMetricsPush(registry, { ...metricsTarget, debug: o.debug, warn: o.warn })
      : prom.serveMetrics(registry, { ...metricsTarget, debug: o.debug });
    closers.push(() => {
      // s9s stops watching: no stream is up any more, whatever its state.
      for (const s of manager.streams) registry.set("s9s_stream_up", labels(s), 0);
      return close();
    });
  }

  if (forwardTargets.length) {
    const { SyslogForwarder, SEVERITY } = await lazyImport<typeof import("./syslog.ts")>(
      "src/sinks/syslog.ts",
    );
    const forwarders = forwardTargets.map((t) =>
      new SyslogForwarder(t, { debug: o.debug, warn: o.warn })
    );
    onLines.push((s, batch, sel) => {
      const errors = manager.filter.highlights.find((h) => h.name === "errors")?.regex;
      const lines = sel.all ? batchLines(batch) : sel.lines;
      const base = s.type === "stderr" ? SEVERITY.warning : SEVERITY.info;
      for (let i = 0; i < lines.length; i++) {
        const content = lines[i];
        const line = {
          jobId: s.jobId,
          stream: s.type,
          lineNum: sel.all ? batch.firstLine + i : sel.nums[i],
          content,
          time: batch.time,
          severity: errors?.test(content) ? SEVERITY.err : base,
        };
        for (const f of forwarders) f.send(line);
      }
    });
    closers.push(async () => {
      await Promise.all(forwarders.map((f) => f.close()));
    });
  }

  listener.onLines = (s, batch, sel) => {
    for (const f of onLines) f(s, batch, sel);
  };
  const unsubscribe = manager.subscribe(listener);
  // Streams started before we attached.
  for (const s of manager.streams) listener.onStart?.(s);
  let closing: Promise<void> | undefined;
  return () =>
    closing ??= (async () => {
      unsubscribe();
      await Promise.all(closers.map((c) => c()));
    })();
}
