import { deepStrictEqual } from "node:assert";
import { textSink, warningLine } from "../../../src/sinks/text.ts";
import { serialOut } from "../../../src/sinks/writer.ts";
import { LineFilter } from "../../../src/engine/filter.ts";
import type { StreamHandle } from "../../../src/engine/stream_manager.ts";
import { compilePattern } from "../../../src/config/regex.ts";
import { linesBatch } from "../../_helpers/line_batch.ts";

const batch = linesBatch;

const stream = { jobId: "123_4", type: "stderr" } as StreamHandle;
const LINES = ["INFO a", "", "ERROR b", "x\ty", "WARN c", "last"];

async function render(
  prefix: boolean,
  filter: LineFilter,
  lines: string[],
  s: StreamHandle = stream,
): Promise<string> {
  let out = "";
  const sink = textSink({
    out: { write: (t) => Promise.resolve(void (out += t)) },
    prefix,
    color: false,
    sanitize: false,
    filter,
  });
  const b = batch(lines);
  await sink.onLines!(s, b, filter.select(b));
  return out;
}

Deno.test("textSink prefixes every line the same on its whole-chunk fast path", async () => {
  const all = new LineFilter();
  deepStrictEqual(
    await render(true, all, LINES),
    LINES.map((l) => `[123_4:stderr] ${l}\n`).join(""),
  );
  const some = new LineFilter();
  some.add({ name: "f", action: "include", color: "", regex: compilePattern("ERROR|WARN") });
  deepStrictEqual(
    await render(true, some, LINES),
    "[123_4:stderr] ERROR b\n[123_4:stderr] WARN c\n",
  );
  deepStrictEqual(await render(false, some, LINES), "ERROR b\nWARN c\n");
  deepStrictEqual(await render(true, all, [""]), "[123_4:stderr] \n");
});

Deno.test("textSink prints a file name holding $&, $' or $$ in its prefix as it is", async () => {
  const all = new LineFilter();
  for (const name of ["a$&b.log", "c$'d.log", "e$$f.log", "g$`h.log", "$1.log"]) {
    const s = { jobId: name, type: "stdout" } as StreamHandle;
    deepStrictEqual(
      await render(true, all, ["one", "two", "three"], s),
      ["one", "two", "three"].map((l) => `[${name}:stdout] ${l}\n`).join(""),
    );
  }
});

Deno.test("serialOut joins the writes of one turn, and those made while one is in flight, in order", async () => {
  const writes: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const dec = new TextDecoder();
  const out = serialOut({
    async write(p: Uint8Array) {
      writes.push(dec.decode(p));
      if (writes.length === 1) await gate;
      return p.length;
    },
  });
  const done: string[] = [];
  const track = (t: string) => out.write(t).then(() => done.push(t));
  // The same turn: one write (streams read together print together).
  const first = ["a", "b"].map(track);
  await Promise.resolve();
  await Promise.resolve();
  deepStrictEqual(writes, ["ab"]);
  // While it is in flight: joined into the next one.
  const later = ["c", "d", ""].map(track);
  release();
  await Promise.all([...first, ...later]);
  deepStrictEqual(writes, ["ab", "cd"]);
  deepStrictEqual(done, ["a", "b", "c", "d", ""]);
  await out.write("");
  deepStrictEqual(writes, ["ab", "cd"]);
});

Deno.test("textSink status lines show every control in a path visibly, one line each", async () => {
  let err = "";
  const sink = textSink({
    out: { write: () => Promise.resolve() },
    status: { write: (t) => Promise.resolve(void (err += t)) },
    prefix: false,
    color: true,
    sanitize: true,
    filter: new LineFilter(),
  });
  const path = "/tmp/a\x1bc\x1b[31m\u202eb\nc";
  sink.onStatus!(stream, {
    job_id: "1",
    type: "status",
    content: `file "${path}" was truncated or rewritten; reading it from the start`,
    timestamp: "",
    line_num: 0,
    source: "file",
    state: "live",
  });
  await Promise.resolve();
  deepStrictEqual(
    err,
    's9s: file "/tmp/a\u241bc\u241b[31m\\u202eb\u240ac" was truncated or rewritten; reading it from the start\n',
  );
});

Deno.test("warningLine: a hostile path stays one inert line", () => {
  const path = "/tmp/a\x1bc\x1b[2J\u202e\u0085b\nFAKE: s9s: job ended.out";
  const line = warningLine(`cannot save "${path}"`);
  deepStrictEqual(line.startsWith("s9s: warning: cannot save "), true);
  deepStrictEqual(line.indexOf("\n"), line.length - 1);
  // deno-lint-ignore no-control-regex
  deepStrictEqual(/[\x1b\u0080-\u009f\u202a-\u202e\u2066-\u2069]/.test(line), false);
  deepStrictEqual(line.includes("FAKE: s9s: job ended.out"), true);
});
