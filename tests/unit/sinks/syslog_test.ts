import { deepStrictEqual } from "node:assert";
import { BoundedQueue, formatSyslog, octetCounted, SEVERITY } from "../../../src/sinks/syslog.ts";
import { parseForwardUrl, parseMetricsUrl } from "../../../src/sinks/integrations.ts";
import { assert } from "../../_helpers/assert.ts";

const dec = new TextDecoder();
const header = { hostname: "node1", pid: 4242 };
const line = {
  jobId: "123_4",
  stream: "stderr",
  lineNum: 7,
  content: 'disk "full" [x] \\ ok',
  time: Date.UTC(2025, 0, 2, 3, 4, 5, 678),
  severity: SEVERITY.warning,
};

Deno.test("formatSyslog writes RFC 5424 with facility user and escaped structured data", () => {
  deepStrictEqual(
    dec.decode(formatSyslog(line, header)),
    '<12>1 2025-01-02T03:04:05.678Z node1 s9s 4242 - [s9s@32473 job_id="123_4" stream="stderr" line_num="7"] disk "full" [x] \\ ok',
  );
  assert(
    dec.decode(formatSyslog({ ...line, severity: SEVERITY.info }, header)).startsWith("<14>1 "),
  );
  assert(
    dec.decode(formatSyslog({ ...line, severity: SEVERITY.err }, header)).startsWith("<11>1 "),
  );
  const sd = dec.decode(formatSyslog({ ...line, jobId: 'a"]\\' }, header));
  assert(sd.includes('job_id="a\\"\\]\\\\"'), sd);
});

Deno.test("formatSyslog cuts a long message at a character boundary and marks it", () => {
  const long = { ...line, content: "€".repeat(5000) };
  const out = formatSyslog(long, header, 8192);
  assert(out.length <= 8192 && out.length > 8180, `length ${out.length}`);
  const text = dec.decode(out); // would contain U+FFFD if a character were split
  assert(!text.includes("\ufffd"), "split character");
  assert(text.includes('line_num="7" truncated="true"] €€'), text.slice(0, 120));
  assert(text.endsWith("€ [truncated]"), text.slice(-20));
  deepStrictEqual(formatSyslog(line, header, 8192), formatSyslog(line, header));
});

Deno.test("octetCounted prefixes the byte length (RFC 6587)", () => {
  deepStrictEqual(dec.decode(octetCounted(new TextEncoder().encode("é1"))), "3 é1");
});

Deno.test("BoundedQueue drops the oldest entries when full and counts them", () => {
  const q = new BoundedQueue<number>(3);
  for (let i = 1; i <= 5; i++) q.push(i);
  deepStrictEqual([q.size, q.dropped], [3, 2]);
  deepStrictEqual([q.shift(), q.shift(), q.shift(), q.shift()], [3, 4, 5, undefined]);
  q.push(6);
  deepStrictEqual(q.shift(), 6);
});

Deno.test("integration URLs parse with their defaults", () => {
  deepStrictEqual(parseForwardUrl("syslog://logserver"), {
    transport: "udp",
    hostname: "logserver",
    port: 514,
    display: "syslog://logserver",
  });
  deepStrictEqual(parseForwardUrl("syslog+tcp://[::1]:601").hostname, "::1");
  deepStrictEqual(parseForwardUrl("syslog+tcp://[::1]:601").port, 601);
  deepStrictEqual(parseMetricsUrl("prometheus://localhost:9090"), {
    mode: "push",
    url: "http://localhost:9090/api/v1/write",
    intervalMs: 5000,
    display: "prometheus://localhost:9090",
  });
  const push = parseMetricsUrl("prometheus://h?interval=1s");
  deepStrictEqual(push.mode === "push" && push.intervalMs, 1000);
  const scrape = parseMetricsUrl("prometheus+scrape://0.0.0.0");
  deepStrictEqual(scrape.mode === "scrape" && scrape.port, 9464);
  deepStrictEqual(parseMetricsUrl("prometheus+http://127.0.0.1:9100").mode, "scrape");
});
