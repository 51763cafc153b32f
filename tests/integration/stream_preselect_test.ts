/**
 * A filtered catch-up of a big file through the real CLI: whether the source picks out the
 * include filter's lines before decoding them (text, JSON and history take only the selection;
 * strings whatever their case too) or not (`--save` keeps every line), the lines printed, their
 * numbers and what is saved are those a per-line check finds — with `\r` progress, CRLF, a long
 * line, non-ASCII and invalid UTF-8 among them.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert";
import { runS9s, testEnv } from "../_helpers/cli.ts";
import { tempHome } from "../_helpers/temp_dir.ts";
import { prng } from "../_helpers/prng.ts";

const PICKED = "only the lines the include filter can keep are decoded";

/** ~1.5 MB of log lines of many kinds; every kind appears with and without the strings. */
function bigLog(): Uint8Array {
  const rnd = prng(42);
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (let i = 0; i < 16_000; i++) {
    const word = ["ERROR", "WARN", "INFO", "DEBUG", "ERRO", "WARNING", "error", "Error", "wArN"][
      Math.floor(rnd() * 9)
    ];
    const r = rnd();
    let line: string | Uint8Array;
    if (r < 0.05) line = `step ${i} ${word} 10%\rstep ${i} 20%\r`; // progress: the state wins
    else if (r < 0.1) line = `${word} on a CRLF line ${i}\r`;
    else if (r < 0.12) line = `ünïcödé ${word} ${i} ✓`;
    else if (r < 0.14) line = new Uint8Array([0xff, 0x41, ...enc.encode(` ${word} `), 0xe2, 0x82]);
    else if (r < 0.15) line = "";
    else if (i === 8_000) line = "x".repeat(200_000) + " WARN " + "y".repeat(1_000);
    else line = `[2026-12-07T10:00:${String(i % 60).padStart(2, "0")}] ${word} rank ${i}: msg`;
    parts.push(typeof line === "string" ? enc.encode(line) : line, new Uint8Array([10]));
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Each line as s9s shows it: decoded, its latest `\r` state, without the "\r" of CRLF. */
function shownLines(bytes: Uint8Array): string[] {
  const dec = new TextDecoder();
  const lines: string[] = [];
  for (let start = 0; start < bytes.length;) {
    const nl = bytes.indexOf(10, start);
    const segs = dec.decode(bytes.subarray(start, nl)).replace(/\r+$/, "").split("\r");
    lines.push(segs.findLast((s) => s !== "") ?? "");
    start = nl + 1;
  }
  return lines;
}

Deno.test("a filtered catch-up of a big file prints, numbers and saves the lines a per-line check picks", async () => {
  const { dir, home } = await tempHome();
  try {
    const path = `${dir}/big.log`;
    const bytes = bigLog();
    await Deno.writeFile(path, bytes);
    const lines = shownLines(bytes);
    const want = lines.map((l, i) => ({ l, n: i + 1 })).filter(({ l }) =>
      /ERROR|WARN/.test(l) && !/rank 1\d*:/.test(l)
    );
    ok(want.length > 1000, `${want.length} lines to pick`);
    const base = ["--debug", "stream", "--path", path, "--no-follow", "-q"];
    const filters = ["--filter", "ERROR|WARN", "--exclude", "rank 1\\d*:"];
    const debugLog = () => Deno.readTextFile(`${home}/debug.log`).catch(() => "");

    // Text: history on (the default), so the recorder is a listener too.
    let r = await runS9s([...base, ...filters], { env: testEnv(home) });
    strictEqual(r.code, 0, r.stderr);
    deepStrictEqual(r.stdout.split("\n").slice(0, -1), want.map((w) => w.l));
    ok((await debugLog()).includes(PICKED), "the source picked the lines out");

    // JSON: the same lines, numbered as the file numbers them.
    r = await runS9s([...base, ...filters, "-o", "json"], { env: testEnv(home) });
    strictEqual(r.code, 0, r.stderr);
    const events = r.stdout.split("\n").slice(0, -1).map((l) => JSON.parse(l));
    deepStrictEqual(events.map((e) => [e.line_num, e.content]), want.map((w) => [w.n, w.l]));

    // History: the last run's saved lines, with their numbers.
    const list = await runS9s(["history", "list", "-o", "json"], { env: testEnv(home) });
    strictEqual(list.code, 0, list.stderr);
    const ids = JSON.parse(list.stdout).map((e: { id: string }) => e.id);
    const saved = await runS9s(["history", "export", ids[0], "-o", "json"], {
      env: testEnv(home),
    });
    strictEqual(saved.code, 0, saved.stderr);
    const kept = saved.stdout.split("\n").slice(0, -1).map((l) => JSON.parse(l));
    deepStrictEqual(kept.map((e) => [e.line_num, e.content]), want.map((w) => [w.n, w.l]));

    // Whatever the case (`(?i)`): picked out too, as the pattern matches them.
    await Deno.remove(`${home}/debug.log`);
    r = await runS9s([...base, "--filter", "(?i)error|warn", "-o", "json"], { env: testEnv(home) });
    strictEqual(r.code, 0, r.stderr);
    const anyCase = lines.map((l, i) => ({ l, n: i + 1 })).filter(({ l }) => /error|warn/i.test(l));
    deepStrictEqual(
      r.stdout.split("\n").slice(0, -1).map((l) => JSON.parse(l)).map((
        e,
      ) => [e.line_num, e.content]),
      anyCase.map((w) => [w.n, w.l]),
    );
    ok((await debugLog()).includes(PICKED), "lines picked out whatever their case");

    // --save keeps every line: nothing may be picked out then, and stdout is the same.
    await Deno.remove(`${home}/debug.log`);
    r = await runS9s([...base, ...filters, "--save", `${dir}/all.log`], { env: testEnv(home) });
    strictEqual(r.code, 0, r.stderr);
    deepStrictEqual(r.stdout.split("\n").slice(0, -1), want.map((w) => w.l));
    deepStrictEqual((await Deno.readTextFile(`${dir}/all.log`)).split("\n").slice(0, -1), lines);
    ok(!(await debugLog()).includes(PICKED), "with --save every line is decoded");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
