/**
 * Metrics, syslog forwarding and alerts against the real servers started by scripts/:
 * `bash scripts/prometheus.sh start && eval "$(bash scripts/prometheus.sh env)"`,
 * `bash scripts/rsyslog.sh start && eval "$(bash scripts/rsyslog.sh env)"`.
 * The engine is driven directly on temporary files.
 */
import { defaultRawConfig } from "../../src/config/defaults.ts";
import { type Config, configSchema } from "../../src/config/schema.ts";
import { NO_DEBUG } from "../../src/core/debug_log.ts";
import { StreamManager } from "../../src/engine/stream_manager.ts";
import { UsageError } from "../../src/errors.ts";
import { attachIntegrations } from "../../src/sinks/integrations.ts";
import { assert, assertEquals, assertRejects, waitFor } from "../_helpers/assert.ts";

const PROM = Deno.env.get("S9S_TEST_PROMETHEUS_URL");
const SCRAPE_PORT = Deno.env.get("S9S_TEST_PROMETHEUS_SCRAPE_PORT");
const UDP = Deno.env.get("S9S_TEST_RSYSLOG_UDP");
const TCP = Deno.env.get("S9S_TEST_RSYSLOG_TCP");
const RSYSLOG_FILE = Deno.env.get("S9S_TEST_RSYSLOG_FILE");

/**
 * The defaults with `alerts`, each parsed (durations converted) and then given its own action,
 * url and command unchecked, as a library caller could hand them over: the config schema refuses
 * a bad alert first (fixtures/bad_config), and the alert engine must refuse one it is handed.
 */
function config(alerts: unknown[] = []): Config {
  const c = configSchema.parse(defaultRawConfig());
  const alertSchema = configSchema.shape.streaming.shape.alerts.element;
  c.streaming.alerts = alerts.map((a) => {
    const { action, url, command } = a as Config["streaming"]["alerts"][number];
    return { ...alertSchema.parse({ ...(a as object), action: "log" }), action, url, command };
  });
  return c;
}

/** A unique job id per test run, so queries never see an earlier run's series. */
function jobId(tag: string): string {
  return `it-${tag}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}`;
}

/** Stream a temporary file with `text` through a manager with the integrations attached. */
async function run(
  id: string,
  text: string,
  o: {
    exportMetrics?: string;
    forward?: string[];
    alerts?: unknown[];
    beforeClose?: () => Promise<void>;
  },
): Promise<string[]> {
  const dir = await Deno.makeTempDir({ prefix: "s9s-int-" });
  const path = `${dir}/job.out`;
  await Deno.writeTextFile(path, text);
  const warnings: string[] = [];
  const cfg = config(o.alerts);
  const manager = new StreamManager({ config: cfg, keepBuffers: false });
  const close = await attachIntegrations(manager, {
    exportMetrics: o.exportMetrics,
    forward: o.forward,
    config: cfg,
    debug: NO_DEBUG,
    warn: (m) => warnings.push(m),
    notice: (m) => warnings.push(m),
  });
  try {
    await manager.startStream({ kind: "file", label: id, path }, "stdout", { follow: false });
    await manager.done();
    await o.beforeClose?.();
  } finally {
    manager.close();
    await close();
    await Deno.remove(dir, { recursive: true });
  }
  return warnings;
}

function numbered(n: number, every?: [number, string]): string {
  let s = "";
  for (let i = 1; i <= n; i++) {
    s += every && i % every[0] === 0 ? `${every[1]} ${i}\n` : `line ${i}\n`;
  }
  return s;
}

async function promQuery(
  query: string,
): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`${PROM}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = await res.json();
  assertEquals(body.status, "success", "query status");
  return body.data.result;
}

Deno.test({
  name: "metrics push reaches Prometheus through remote write with the right counts",
  ignore: !PROM,
  async fn() {
    const id = jobId("push");
    const port = new URL(PROM!).port;
    const text = numbered(250);
    const warnings = await run(id, text, {
      exportMetrics: `prometheus://127.0.0.1:${port}?interval=500ms`,
    });
    assertEquals(warnings, [], "warnings");
    const sel = `{job_id="${id}",stream="stdout"}`;
    const lines = await waitFor(async () => {
      const r = await promQuery(`s9s_lines_total${sel}`);
      return r.length === 1 && r[0].value[1] === "250" ? r : undefined;
    }, { timeout: 15_000, what: "s9s_lines_total in Prometheus" });
    assertEquals(lines[0].metric.job, "s9s");
    assertEquals(
      (await promQuery(`s9s_bytes_total${sel}`))[0].value[1],
      String(new TextEncoder().encode(text).length),
    );
    assertEquals((await promQuery(`s9s_matched_lines_total${sel}`))[0].value[1], "250");
    // The last push, at close, says the stream is no longer up.
    assertEquals((await promQuery(`s9s_stream_up${sel}`))[0].value[1], "0");
    assertEquals((await promQuery(`s9s_discarded_lines_total${sel}`))[0].value[1], "0");
  },
});

Deno.test({
  name: "metrics push to a server that is down warns once and never blocks streaming",
  async fn() {
    // A port nothing listens on.
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (l.addr as Deno.NetAddr).port;
    l.close();
    const started = Date.now();
    const warnings = await run(jobId("down"), numbered(100), {
      exportMetrics: `prometheus://127.0.0.1:${port}?interval=100ms`,
      beforeClose: () => new Promise((r) => setTimeout(r, 500)),
    });
    assert(Date.now() - started < 10_000, "closing took too long");
    assertEquals(warnings.length, 1, `one warning, got ${JSON.stringify(warnings)}`);
    assert(warnings[0].startsWith("metrics: cannot push to prometheus://127.0.0.1:"), warnings[0]);
  },
});

Deno.test({
  name: "metrics scrape endpoint serves /metrics and Prometheus scrapes it",
  ignore: !PROM || !SCRAPE_PORT,
  async fn() {
    const id = jobId("scrape");
    let body = "";
    await run(id, numbered(40, [10, "ERROR boom"]), {
      exportMetrics: `prometheus+scrape://127.0.0.1:${SCRAPE_PORT}`,
      alerts: [{ name: "boom", pattern: "ERROR", action: "log" }],
      beforeClose: async () => {
        const res = await fetch(`http://127.0.0.1:${SCRAPE_PORT}/metrics`);
        assertEquals(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
        body = await res.text();
        // Prometheus itself scrapes it (job "s9s-scrape" in scripts/prometheus.sh).
        await waitFor(async () => {
          const r = await promQuery(`s9s_lines_total{job="s9s-scrape",job_id="${id}"}`);
          return r.length === 1 && r[0].value[1] === "40";
        }, { timeout: 15_000, what: "Prometheus to scrape s9s" });
        const alerts = await promQuery(`s9s_alerts_total{job="s9s-scrape",alert="boom"}`);
        assertEquals(alerts[0]?.value[1], "4", "alerts fired");
      },
    });
    assert(body.includes("# TYPE s9s_lines_total counter\n"), body);
    assert(body.includes(`s9s_lines_total{job_id="${id}",stream="stdout"} 40\n`), body);
    assert(body.includes(`s9s_stream_up{job_id="${id}",stream="stdout"} 0\n`), body);
    assert(body.includes(`s9s_alerts_total{alert="boom"} 4\n`), body);
  },
});

async function syslogLines(id: string, want: number): Promise<string[]> {
  return await waitFor(async () => {
    const all = (await Deno.readTextFile(RSYSLOG_FILE!)).split("\n");
    const mine = all.filter((l) => l.includes(`job_id="${id}"`));
    return mine.length >= want ? mine : undefined;
  }, { timeout: 10_000, what: `${want} syslog messages for ${id}` });
}

for (const [transport, url] of [["UDP", UDP], ["TCP", TCP]] as const) {
  Deno.test({
    name: `syslog forwarding over ${transport} lands RFC 5424 messages in rsyslog`,
    ignore: !url || !RSYSLOG_FILE,
    async fn() {
      const id = jobId(transport.toLowerCase());
      const warnings = await run(
        id,
        numbered(30, [7, "fatal ERROR"]) + `quote " and ] and \\ done\n`,
        {
          forward: [url!],
        },
      );
      assertEquals(warnings, [], "warnings");
      const got = await syslogLines(id, 31);
      assertEquals(got.length, 31, "messages");
      const host = Deno.hostname();
      const re = new RegExp(
        `^<(\\d+)>1 (\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z) ${host} s9s ${Deno.pid} - ` +
          `\\[s9s@32473 job_id="${id}" stream="stdout" line_num="(\\d+)"\\] (.*)$`,
      );
      for (let i = 0; i < 30; i++) {
        const m = re.exec(got[i]);
        assert(m, `message ${i} is not RFC 5424 as expected: ${got[i]}`);
        const n = i + 1;
        assertEquals(Number(m[3]), n, "line_num");
        const isErr = n % 7 === 0;
        assertEquals(m[4], isErr ? `fatal ERROR ${n}` : `line ${n}`);
        // facility user (1): info 14, err 11
        assertEquals(m[1], isErr ? "11" : "14", `PRI of line ${n}`);
      }
      assertEquals(got[30].endsWith(`line_num="31"] quote " and ] and \\ done`), true, got[30]);
    },
  });
}

Deno.test({
  name: "syslog over UDP truncates a message over 8 KiB and marks it",
  ignore: !UDP || !RSYSLOG_FILE,
  async fn() {
    const id = jobId("big");
    await run(id, `${"é".repeat(6000)}\nsmall\n`, { forward: [UDP!] });
    const got = await syslogLines(id, 2);
    const big = got.find((l) => l.includes('line_num="1"'))!;
    assert(big.includes('truncated="true"] éé'), big.slice(0, 200));
    assert(big.endsWith("é [truncated]"), big.slice(-50));
    assert(new TextEncoder().encode(big).length <= 8192, "size");
  },
});

Deno.test("a webhook alert POSTs the expected JSON and its cooldown suppresses repeats", async () => {
  const received: Record<string, unknown>[] = [];
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
    async (req) => {
      received.push({
        path: new URL(req.url).pathname,
        method: req.method,
        type: req.headers.get("content-type"),
        body: await req.json(),
      });
      return new Response("ok");
    },
  );
  try {
    const id = jobId("hook");
    const warnings = await run(id, numbered(20, [5, "Traceback: exception"]), {
      alerts: [{
        name: "exceptions",
        pattern: "(?i)EXCEPTION",
        action: "webhook",
        url: `http://127.0.0.1:${server.addr.port}/hook`,
      }],
    });
    assertEquals(warnings, [], "warnings");
    // Lines 5, 10, 15, 20 match; the 30s default cooldown lets only the first through.
    assertEquals(received.length, 1, "posts");
    const body = received[0].body as Record<string, unknown>;
    assertEquals(received[0].path, "/hook");
    assertEquals(received[0].method, "POST");
    assertEquals(received[0].type, "application/json");
    assertEquals(
      { ...body, timestamp: undefined },
      {
        alert: "exceptions",
        pattern: "(?i)EXCEPTION",
        job_id: id,
        stream: "stdout",
        line_num: 5,
        content: "Traceback: exception 5",
        timestamp: undefined,
        suppressed: 0,
      },
    );
    assert(!isNaN(Date.parse(body.timestamp as string)), "timestamp");

    // Without a cooldown, every match is posted.
    received.length = 0;
    await run(jobId("hook2"), numbered(20, [5, "exception"]), {
      alerts: [{
        pattern: "exception",
        action: "webhook",
        url: `http://127.0.0.1:${server.addr.port}/`,
        cooldown: "0s",
      }],
    });
    assertEquals(received.map((r) => (r.body as { line_num: number }).line_num), [5, 10, 15, 20]);
  } finally {
    ac.abort();
    await server.finished;
  }
});

Deno.test("a command alert runs with S9S_ALERT_* variables; a notification prints one line", async () => {
  const dir = await Deno.makeTempDir({ prefix: "s9s-alert-" });
  const out = `${dir}/out`;
  const id = jobId("cmd");
  const notices = await run(id, numbered(12, [4, "job completed successfully"]), {
    alerts: [
      {
        name: "done",
        pattern: "completed successfully",
        action: "command",
        command:
          `printf '%s|%s|%s|%s|%s\\n' "$S9S_ALERT_NAME" "$S9S_ALERT_JOB_ID" "$S9S_ALERT_STREAM" "$S9S_ALERT_LINE" "$S9S_ALERT_CONTENT" >> ${out}`,
        cooldown: "0s",
      },
      { pattern: "(?i)COMPLETED SUCCESSFULLY", action: "notification", type: "success" },
    ],
  });
  // Commands run concurrently: compare in line order.
  const lines = (await Deno.readTextFile(out)).trim().split("\n")
    .sort((a, b) => Number(a.split("|")[3]) - Number(b.split("|")[3]));
  assertEquals(
    lines,
    [4, 8, 12].map((n) => `done|${id}|stdout|${n}|job completed successfully ${n}`),
  );
  assertEquals(notices, [`s9s: alert (success): job ${id}: job completed successfully 4`]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("bad integration URLs and alerts are usage errors with a hint", async () => {
  const manager = new StreamManager({ config: config(), keepBuffers: false });
  const base = { config: config(), debug: NO_DEBUG, warn: () => {} };
  for (
    const o of [
      { exportMetrics: "http://localhost:9090" },
      { exportMetrics: "prometheus://" },
      { exportMetrics: "prometheus://localhost:9090?interval=soon" },
      { exportMetrics: "localhost:9090" },
      { forward: ["syslog://logserver:514", "udp://logserver"] },
      { forward: ["syslog+tcp://logserver:514/path"] },
      { config: config([{ pattern: "x", action: "webhook" }]) },
      { config: config([{ pattern: "x", action: "webhook", url: "ftp://x" }]) },
      { config: config([{ pattern: "x", action: "command" }]) },
    ]
  ) {
    const err = await assertRejects(() => attachIntegrations(manager, { ...base, ...o }));
    assert(err instanceof UsageError, `${JSON.stringify(o)}: ${err}`);
    assertEquals(err.exitCode, 2);
    assert(err.hint, `${JSON.stringify(o)} has a hint`);
  }
  // Nothing configured: nothing attached.
  const close = await attachIntegrations(manager, base);
  await close();
  manager.close();
});

Deno.test("syslog forwarding to a TCP destination that is down warns once and reports the drops", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const warnings = await run(jobId("tcpdown"), numbered(50), {
    forward: [`syslog+tcp://127.0.0.1:${port}`],
  });
  assertEquals(warnings.length, 2, JSON.stringify(warnings));
  assert(
    warnings[0].startsWith(`syslog: cannot send to syslog+tcp://127.0.0.1:${port}: `),
    warnings[0],
  );
  assertEquals(
    warnings[1],
    `syslog: dropped 50 message(s) for syslog+tcp://127.0.0.1:${port} while it was unreachable or slow`,
  );
});

Deno.test({
  name: "s9s stream --export-metrics and --forward reach Prometheus and rsyslog from the CLI",
  ignore: !PROM || !UDP || !RSYSLOG_FILE,
  async fn() {
    const { runS9s, testEnv } = await import("../_helpers/cli.ts");
    const dir = await Deno.makeTempDir({ prefix: "s9s-cli-int-" });
    const name = `cli-${Date.now().toString(36)}.log`;
    const path = `${dir}/${name}`;
    await Deno.writeTextFile(path, "one\nERROR two\nthree\nfour\n");
    const r = await runS9s([
      "stream",
      "--path",
      path,
      "--no-follow",
      "--filter",
      "o",
      "--export-metrics",
      `prometheus://${PROM!.replace(/^http:\/\//, "")}`,
      "--forward",
      UDP!,
    ], { env: testEnv(dir) });
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stdout, "one\nERROR two\nfour\n");
    await waitFor(async () => {
      const res = await fetch(
        `${PROM}/api/v1/query?query=${encodeURIComponent(`s9s_lines_total{job_id="${name}"}`)}`,
      );
      const body = await res.json();
      return body.data?.result?.[0]?.value?.[1] === "4";
    }, { timeout: 20_000, what: "s9s_lines_total in Prometheus" });
    await waitFor(async () => {
      const log = await Deno.readTextFile(RSYSLOG_FILE!);
      return log.includes(`job_id="${name}" stream="stdout" line_num="4"] four`) &&
        !log.includes(`job_id="${name}" stream="stdout" line_num="3"]`);
    }, { timeout: 10_000, what: "forwarded lines in rsyslog's file" });
    await Deno.remove(dir, { recursive: true });
  },
});
