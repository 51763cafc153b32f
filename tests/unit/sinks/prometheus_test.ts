import { deepStrictEqual } from "node:assert";
import {
  encodeWriteRequest,
  exposition,
  MetricRegistry,
  snappyLiteral,
  type TimeSeries,
  toTimeSeries,
} from "../../../src/sinks/prometheus.ts";

/** A full snappy block decoder (literals and copies), independent of the encoder. */
function unsnappy(b: Uint8Array): Uint8Array {
  let pos = 0;
  let len = 0;
  for (let shift = 1;; shift *= 128) {
    const c = b[pos++];
    len += (c & 0x7f) * shift;
    if (c < 0x80) break;
  }
  const out = new Uint8Array(len);
  let o = 0;
  while (pos < b.length) {
    const tag = b[pos++];
    const kind = tag & 3;
    if (kind === 0) {
      let n = tag >> 2;
      if (n >= 60) {
        const bytes = n - 59;
        n = 0;
        for (let i = 0; i < bytes; i++) n |= b[pos++] << (8 * i);
      }
      n += 1;
      out.set(b.subarray(pos, pos + n), o);
      pos += n;
      o += n;
    } else {
      let n: number, off: number;
      if (kind === 1) {
        n = ((tag >> 2) & 7) + 4;
        off = ((tag >> 5) << 8) | b[pos++];
      } else {
        n = (tag >> 2) + 1;
        off = b[pos] | (b[pos + 1] << 8);
        pos += 2;
        if (kind === 3) {
          off |= (b[pos] << 16) | (b[pos + 1] << 24);
          pos += 2;
        }
      }
      for (let i = 0; i < n; i++, o++) out[o] = out[o - off];
    }
  }
  deepStrictEqual(o, len, "decoded length");
  return out;
}

/** A minimal protobuf decoder for WriteRequest. */
function decodeWriteRequest(b: Uint8Array): TimeSeries[] {
  const dec = new TextDecoder();
  function fields(buf: Uint8Array): [number, number, Uint8Array | number][] {
    const out: [number, number, Uint8Array | number][] = [];
    let p = 0;
    const varint = () => {
      let v = 0;
      for (let mul = 1;; mul *= 128) {
        const c = buf[p++];
        v += (c & 0x7f) * mul;
        if (c < 0x80) return v;
      }
    };
    while (p < buf.length) {
      const key = varint();
      const wire = key & 7;
      if (wire === 2) {
        const n = varint();
        out.push([key >> 3, wire, buf.subarray(p, p + n)]);
        p += n;
      } else if (wire === 1) {
        out.push([
          key >> 3,
          wire,
          new DataView(buf.buffer, buf.byteOffset + p, 8).getFloat64(0, true),
        ]);
        p += 8;
      } else if (wire === 0) out.push([key >> 3, wire, varint()]);
      else throw new Error(`unexpected wire type ${wire}`);
    }
    return out;
  }
  return fields(b).map(([f, , ts]) => {
    deepStrictEqual(f, 1);
    const series: TimeSeries = { labels: [], samples: [] };
    for (const [tf, , body] of fields(ts as Uint8Array)) {
      const parts = fields(body as Uint8Array);
      if (tf === 1) {
        series.labels.push([
          dec.decode(parts[0][2] as Uint8Array),
          dec.decode(parts[1][2] as Uint8Array),
        ]);
      } else {series.samples.push({
          value: parts[0][2] as number,
          timestamp: parts[1][2] as number,
        });}
    }
    return series;
  });
}

Deno.test("encodeWriteRequest round-trips through a protobuf decoder, 64-bit timestamps included", () => {
  const series: TimeSeries[] = [
    {
      labels: [["__name__", "s9s_lines_total"], ["job_id", "123_4"], ["stream", "stdout"]],
      samples: [{ value: 250, timestamp: 1_754_000_000_123 }],
    },
    {
      labels: [["__name__", "x"], ["é", 'ünïcode "q"']],
      samples: [{ value: 0.5, timestamp: 0 }, { value: -1e300, timestamp: 2 ** 53 - 1 }],
    },
  ];
  deepStrictEqual(decodeWriteRequest(encodeWriteRequest(series)), series);
  deepStrictEqual(decodeWriteRequest(encodeWriteRequest([])), []);
});

Deno.test("snappyLiteral produces blocks any snappy decoder reads, for every literal length form", () => {
  for (const n of [0, 1, 59, 60, 61, 255, 256, 257, 65535, 65536, 65537, 200_000]) {
    const data = new Uint8Array(n);
    for (let i = 0; i < n; i++) data[i] = (i * 31 + 7) & 0xff;
    deepStrictEqual([...unsnappy(snappyLiteral(data))].join(), [...data].join(), `length ${n}`);
  }
});

Deno.test("toTimeSeries sorts labels by name with __name__ first", () => {
  const r = new MetricRegistry();
  r.inc("s9s_lines_total", { job_id: "1", stream: "stderr" }, 3);
  const [ts] = toTimeSeries(r, 42, { instance: "h:1", job: "s9s" });
  deepStrictEqual(ts.labels.map((l) => l[0]), ["__name__", "instance", "job", "job_id", "stream"]);
  deepStrictEqual(ts.samples, [{ value: 3, timestamp: 42 }]);
});

Deno.test("exposition renders HELP, TYPE and escaped label values", () => {
  const r = new MetricRegistry();
  r.inc("s9s_lines_total", { job_id: "1", stream: "stdout" }, 2);
  r.inc("s9s_lines_total", { job_id: "1", stream: "stdout" });
  r.inc("s9s_alerts_total", { alert: 'a "b"\\\n' });
  deepStrictEqual(
    exposition(r),
    "# HELP s9s_lines_total Lines read from a job's output stream\n# TYPE s9s_lines_total counter\n" +
      's9s_lines_total{job_id="1",stream="stdout"} 3\n' +
      "# HELP s9s_alerts_total Alerts fired (after cooldown)\n# TYPE s9s_alerts_total counter\n" +
      's9s_alerts_total{alert="a \\"b\\"\\\\\\n"} 1\n',
  );
});
