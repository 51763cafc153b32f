import { deepStrictEqual, strictEqual } from "node:assert";
import { LineFilter } from "../../../src/engine/filter.ts";
import { compilePattern } from "../../../src/config/regex.ts";
import { assert } from "../../_helpers/assert.ts";
import { linesBatch } from "../../_helpers/line_batch.ts";
import { LineSplitter } from "../../../src/core/line_splitter.ts";
import { selectedCount, selectedText } from "../../../src/engine/selected_text.ts";

const batch = linesBatch;

function sel(f: LineFilter, lines: string[], first = 1) {
  const s = f.select(batch(lines, first));
  return s.all ? lines.map((l, i) => [first + i, l]) : s.lines.map((l, i) => [s.nums[i], l]);
}

const LINES = [
  "INFO start",
  "ERROR disk full",
  "DEBUG x",
  "warn: low memory",
  "error again",
  "TRACE y",
  "done",
];

Deno.test("LineFilter keeps lines matching any include, with their line numbers", () => {
  const f = new LineFilter();
  f.add({ name: "a", action: "include", color: "", regex: compilePattern("ERROR|WARN") });
  deepStrictEqual(sel(f, LINES, 10), [[11, "ERROR disk full"]]);
  f.add({ name: "b", action: "include", color: "", regex: compilePattern("(?i)warn") });
  deepStrictEqual(sel(f, LINES, 10), [[11, "ERROR disk full"], [13, "warn: low memory"]]);
});

Deno.test("LineFilter drops excluded lines, and exclusion wins over inclusion", () => {
  const f = new LineFilter();
  f.add({ name: "x", action: "exclude", color: "", regex: compilePattern("DEBUG|TRACE") });
  deepStrictEqual(sel(f, LINES).map((x) => x[1]), [
    "INFO start",
    "ERROR disk full",
    "warn: low memory",
    "error again",
    "done",
  ]);
  f.add({ name: "i", action: "include", color: "", regex: compilePattern("(?i)error") });
  f.add({ name: "x2", action: "exclude", color: "", regex: compilePattern("again") });
  deepStrictEqual(sel(f, LINES), [[2, "ERROR disk full"]]);
});

Deno.test("LineFilter matches per line even when the pattern could span lines", () => {
  const f = new LineFilter();
  f.add({ name: "a", action: "include", color: "", regex: compilePattern("full\\s+DEBUG") });
  deepStrictEqual(sel(f, LINES), []);
  const g = new LineFilter();
  g.add({ name: "a", action: "include", color: "", regex: compilePattern("^done$") });
  deepStrictEqual(sel(g, LINES), [[7, "done"]]);
  const h = new LineFilter();
  h.add({ name: "a", action: "include", color: "", regex: compilePattern("^(?!INFO).*a") });
  deepStrictEqual(sel(h, LINES).map((x) => x[0]), [4, 5]);
});

Deno.test("LineFilter keeps the lines that match alone: lookarounds that see the newline, anchors at U+2028", () => {
  const lines = ["x ERROR", "  indented", "ERROR\u2028tail", "y WARN 1", "WARN"];
  for (
    const p of [
      "ERROR(?=\\s)",
      "(?<=\\s)\\s+indented",
      "ERROR$",
      "^tail",
      "WARN(?!\\s)",
      "WARN \\d",
    ]
  ) {
    const re = compilePattern(p);
    const f = new LineFilter();
    f.add({ name: "p", action: "include", color: "", regex: re });
    const expected = lines.map((l, i) => [i + 1, l]).filter(([, l]) => re.test(l as string));
    deepStrictEqual(sel(f, lines), expected, p);
  }
});

Deno.test("LineFilter agrees with a per-line check on random input", () => {
  const words = ["ERROR", "warn", "ok", "Err", "x", "", "100%", "fail"];
  const patterns = [
    "ERROR|warn",
    "(?i)err",
    "^ok",
    "\\d+%",
    "x$",
    "a|b|c",
    "ok(?!\\s)",
    "(?<!\\S)x",
    "fail\\s*$",
    "\\s",
  ];
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (const p of patterns) {
    const lines = Array.from(
      { length: 300 },
      () =>
        Array.from({ length: Math.floor(rnd() * 4) }, () => words[Math.floor(rnd() * words.length)])
          .join(" "),
    );
    const f = new LineFilter();
    const re = compilePattern(p);
    f.add({ name: "p", action: "include", color: "", regex: re });
    const expected = lines.map((l, i) => [i + 1, l]).filter(([, l]) => re.test(l as string));
    deepStrictEqual(sel(f, lines), expected, p);
  }
});

Deno.test("LineFilter reports which highlight filters match", () => {
  const f = new LineFilter();
  f.add({ name: "errors", action: "highlight", color: "red", regex: compilePattern("(?i)error") });
  f.add({ name: "warn", action: "highlight", color: "yellow", regex: compilePattern("warn") });
  deepStrictEqual(f.highlightsOf("an Error"), ["errors"]);
  deepStrictEqual(f.highlightsOf("fine"), undefined);
  deepStrictEqual(f.select(batch(LINES)), { all: true });
});

Deno.test("LineFilter counts line numbers lazily and the same as a per-line check, with excludes", () => {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const words = ["ERROR", "WARN", "INFO", "again", "x", ""];
  const lines = Array.from(
    { length: 2000 },
    () => words[Math.floor(rnd() * words.length)] + " " + rnd(),
  );
  const f = new LineFilter();
  f.add({ name: "i", action: "include", color: "", regex: compilePattern("ERROR|WARN") });
  f.add({ name: "x", action: "exclude", color: "", regex: compilePattern("again") });
  const s = f.select(batch(lines, 501));
  assert(!s.all);
  const expected = lines.map((l, i) => [501 + i, l]).filter(([, l]) =>
    /ERROR|WARN/.test(l as string) && !/again/.test(l as string)
  );
  // Lines first, numbers after (the text sink never asks for numbers; JSON does).
  deepStrictEqual(s.lines, expected.map(([, l]) => l));
  deepStrictEqual(s.nums, expected.map(([n]) => n));
  assert(s.nums === s.nums, "line numbers are counted once");
});

Deno.test("LineFilter numbers the lines of the splitter's uneven batches as a per-line check does", () => {
  let seed = 11;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  // ASCII lines come with the splitter's block index (a character per byte); "é" lines without.
  for (const accent of ["", "é"]) {
    const words = ["ERROR", "WARN", "INFO", accent, "", "ERROR\tWARN"];
    const lines = Array.from(
      { length: 6000 },
      () => words[Math.floor(rnd() * words.length)] + " ".repeat(Math.floor(rnd() * 3)),
    );
    const f = new LineFilter();
    f.add({ name: "i", action: "include", color: "", regex: compilePattern("ERROR|WARN") });
    // Fed in uneven pieces: several batches, each numbered from its own first line, read into a
    // buffer grown as a catch-up grows it (so that the splitter counts lines by blocks).
    const splitter = new LineSplitter({ firstLine: 40 });
    splitter.reserve(1 << 17);
    const bytes = new TextEncoder().encode(lines.map((l) => l + "\n").join(""));
    const got: [number, string][] = [];
    let batches = 0;
    let indexed = 0;
    for (let pos = 0; pos < bytes.length;) {
      const n = 1 + Math.floor(rnd() * 3000);
      const b = splitter.push(bytes.subarray(pos, pos + n));
      pos += n;
      if (!b) continue;
      batches++;
      if (b.lineIndex) indexed++;
      const s = f.select(b);
      assert(!s.all);
      s.lines.forEach((l, i) => got.push([s.nums[i], l]));
    }
    assert(batches > 3, "several batches");
    if (accent === "") assert(indexed === batches, `${indexed} of ${batches} batches indexed`);
    else assert(indexed < batches, "a batch with two-byte characters has no index");
    const expected = lines.map((l, i) => [40 + i, l]).filter(([, l]) =>
      /ERROR|WARN/.test(l as string)
    );
    deepStrictEqual(got, expected, `accent ${JSON.stringify(accent)}`);
  }
});

Deno.test("LineFilter with excludes alone keeps what a per-line check keeps: text, count, lines, numbers", () => {
  let seed = 5;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  // With two- and three-byte characters, and ASCII only (the splitter's batches then indexed).
  for (const wide of [["é", "\u2028"], ["e", "y"]]) {
    const words = ["DEBUG", "TRACE", "INFO", ...wide, "", "x", "DEBUG\tTRACE"];
    // The first line empty, and patterns that take empty lines, among them.
    const lines = Array.from(
      { length: 3000 },
      (_, i) =>
        i === 0 ? "" : Array.from(
          { length: Math.floor(rnd() * 3) },
          () => words[Math.floor(rnd() * words.length)],
        ).join(" "),
    );
    const patterns = [
      "DEBUG|TRACE",
      "^x",
      "x$",
      `INFO\\s+${wide[0]}`,
      "(?i)trace",
      "x(?!\\s)",
      "^$",
    ];
    for (const p of [...patterns, "^(?!x)", ".*", "nothing"]) {
      const re = compilePattern(p);
      const keep = lines.map((l, i) => [i, l] as const).filter(([, l]) => !re.test(l));
      // A whole batch and the splitter's uneven ones.
      const batches = [batch(lines, 7)];
      const splitter = new LineSplitter({ firstLine: 7 });
      splitter.reserve(1 << 17); // grown, as a catch-up's
      const bytes = new TextEncoder().encode(lines.map((l) => l + "\n").join(""));
      for (let pos = 0; pos < bytes.length;) {
        const n = 1 + Math.floor(rnd() * 4000);
        const b = splitter.push(bytes.subarray(pos, pos + n));
        pos += n;
        if (b) batches.push(b);
      }
      for (const via of ["whole", "split"]) {
        const f = new LineFilter();
        f.add({ name: "x", action: "exclude", color: "", regex: re });
        const got = { text: "", count: 0, lines: [] as string[], nums: [] as number[] };
        for (const b of via === "whole" ? batches.slice(0, 1) : batches.slice(1)) {
          const s = f.select(b);
          assert(!s.all);
          got.text += selectedText(s);
          got.count += selectedCount(s);
          got.lines.push(...s.lines);
          got.nums.push(...s.nums);
        }
        const what = `${p} (${via})`;
        deepStrictEqual(got.text, keep.map(([, l]) => l + "\n").join(""), what);
        deepStrictEqual(got.count, keep.length, what);
        deepStrictEqual(got.lines, keep.map(([, l]) => l), what);
        deepStrictEqual(got.nums, keep.map(([i]) => 7 + i), what);
      }
      if (wide[0] === "e") assert(batches.slice(1).every((b) => b.lineIndex), "ASCII: indexed");
    }
  }
});

Deno.test("LineFilter colors include filters only when asked (highlight: true), never excludes", () => {
  const f = new LineFilter();
  f.add({ name: "inc", action: "include", color: "green", regex: /ok|bad/, highlight: true });
  f.add({ name: "plain", action: "include", color: "red", regex: /ok/ });
  f.add({ name: "exc", action: "exclude", color: "red", regex: /bad/, highlight: true });
  f.add({ name: "off", action: "highlight", color: "red", regex: /ok/, highlight: false });
  deepStrictEqual(f.highlights.map((h) => h.name), ["inc"]);
  deepStrictEqual(f.highlightsOf("ok"), ["inc"]);
});

Deno.test("LineFilter offers its include strings for picking lines out, and takes only batches picked for them", () => {
  const f = new LineFilter();
  f.add({ name: "i", action: "include", color: "", regex: compilePattern("ERROR|WARN") });
  const pre = f.preselect();
  deepStrictEqual([pre?.strings, pre?.caseless], [["ERROR", "WARN"], [false, false]]);
  const anyCase = new LineFilter();
  anyCase.add({ name: "i", action: "include", color: "", regex: compilePattern("(?i)error") });
  anyCase.add({ name: "j", action: "include", color: "", regex: compilePattern("FATAL") });
  const pre2 = anyCase.preselect();
  deepStrictEqual([pre2?.strings, pre2?.caseless], [["error", "FATAL"], [true, false]]);
  for (const p of ["ERR.R", "é|x", "^ERROR", "(?i)error|\\p{L}x"]) {
    const g = new LineFilter();
    g.add({ name: "i", action: "include", color: "", regex: compilePattern(p) });
    strictEqual(g.preselect(), undefined, p);
  }
  strictEqual(new LineFilter().preselect(), undefined, "no include: nothing to pick");
  // A batch of picked lines: numbered from its first line, excludes applied.
  f.add({ name: "x", action: "exclude", color: "", regex: compilePattern("again") });
  const batch = {
    text: "",
    count: 10,
    firstLine: 21,
    startOffset: 0,
    endOffset: 100,
    time: 0,
    preselected: {
      key: pre!.key,
      text: "ERROR one\nWARN again\nWARN two\n",
      at: Int32Array.of(0, 4, 9),
    },
  };
  const s = f.select(batch);
  assert(!s.all);
  deepStrictEqual([s.lines, s.nums], [["ERROR one", "WARN two"], [21, 30]]);
  let threw = false;
  try {
    f.select({ ...batch, preselected: { ...batch.preselected, key: "other" } });
  } catch {
    threw = true;
  }
  assert(threw, "lines picked for other strings are refused, not taken as these");
});
