import { deepStrictEqual } from "node:assert";
import { alternativesOf, LineScan, literalAlternatives } from "../../../src/core/line_scan.ts";

/** What a per-line test finds: [position, line] of each matching line. */
function perLine(re: RegExp, text: string): [number, string][] {
  const out: [number, string][] = [];
  let pos = 0;
  for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", pos)) {
    const line = text.slice(pos, nl);
    if (re.test(line)) out.push([pos, line]);
    pos = nl + 1;
  }
  return out;
}

function scanned(re: RegExp, text: string): [number, string][] {
  const out: [number, string][] = [];
  new LineScan(re).forEach(text, (line, start) => out.push([start, line]));
  return out;
}

Deno.test("LineScan finds exactly the lines a per-line test finds, whatever the pattern sees around them", () => {
  const words = ["ERROR", "warn", "ok", " ", "", "x", "\u2028", "\r", "100%", "é", "WARN", "😀"];
  const patterns = [
    /ERROR|WARN/,
    /^ok/,
    /ok$/,
    /x\s+ok/,
    /WARN(?!\s)/,
    /(?<!\S)x/,
    /(?<=ok)\s/,
    /^$/,
    /x*/,
    /\bok\b/,
    /ok[^]*ERROR/,
    /.ok/s,
    /(?i:warn)\s*$/m,
    /\p{L}/u,
    // Alternations of strings (looked for with indexOf), as the filters combine them too.
    /ok/,
    /(?:ERROR|ok)|(?:x o)/,
    /100%|é|\u2028/,
    /(?:x x)|(?:ok ok|WARN)/v,
    /k x|r|ok/,
    new RegExp("\uD83D", "u"), // a lone surrogate: under `u`, never the half of a pair
  ];
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let round = 0; round < 20; round++) {
    const lines = Array.from(
      { length: 200 },
      () =>
        Array.from({ length: Math.floor(rnd() * 5) }, () => words[Math.floor(rnd() * words.length)])
          .join(rnd() < 0.5 ? " " : ""),
    );
    const text = lines.join("\n") + "\n";
    for (const re of patterns) deepStrictEqual(scanned(re, text), perLine(re, text), String(re));
  }
});

Deno.test("LineScan takes a global or sticky pattern as the same pattern without those flags", () => {
  const text = "a1\nb\na2\n";
  deepStrictEqual(scanned(/a\d/g, text), [[0, "a1"], [5, "a2"]]);
  deepStrictEqual(scanned(/a\d/y, text), [[0, "a1"], [5, "a2"]]);
});

Deno.test("LineScan ignores an unterminated last line", () => {
  deepStrictEqual(scanned(/x/, "x1\nx2"), [[0, "x1"]]);
});

Deno.test("literalAlternatives takes only a pattern that is strings joined by |", () => {
  deepStrictEqual(literalAlternatives(/ERROR|WARN/), ["ERROR", "WARN"]);
  deepStrictEqual(literalAlternatives(/(?:ERROR|WARN)|(?:a\.b \[1\])/u), [
    "ERROR",
    "WARN",
    "a.b [1]",
  ]);
  deepStrictEqual(literalAlternatives(/x\/y|\\/), ["x/y", "\\"]);
  for (
    const re of [
      /ERROR|WARN/i,
      /(?i:ERROR)|WARN/,
      /ERROR|/,
      /(?:)/,
      /a(?:b|c)/,
      /(?:a)b/,
      /ERR.R/,
      /ERRORS?/,
      /^ERROR/,
      /\d+/,
      /a\nb/,
      /(a)/,
      /[a]/,
      /a{2}/,
      new RegExp("a\nb"),
      new RegExp("\uD83D", "u"),
    ]
  ) {
    deepStrictEqual(literalAlternatives(re), undefined, String(re));
  }
});

Deno.test("alternativesOf marks the strings under i as caseless, and refuses i under u or v", () => {
  const c = (text: string) => ({ text, caseless: true });
  const e = (text: string) => ({ text, caseless: false });
  deepStrictEqual(alternativesOf(/error|warn/i), [c("error"), c("warn")]);
  deepStrictEqual(alternativesOf(/(?i:error|warn)|(?:FATAL)/), [c("error"), c("warn"), e("FATAL")]);
  deepStrictEqual(alternativesOf(/(?:a|(?i:b))|c/), [e("a"), c("b"), e("c")]);
  deepStrictEqual(alternativesOf(/(?i:error)/u), undefined, "Unicode case folding: k is K");
  deepStrictEqual(alternativesOf(new RegExp("(?i:error)", "v")), undefined);
  deepStrictEqual(alternativesOf(/(?:ERROR)|(?:x)/u), [e("ERROR"), e("x")]);
  for (const re of [/(?m:a)/, /(?-i:a)/, /(?s:a)|b/, /(?i:a.b)/]) {
    deepStrictEqual(alternativesOf(re), undefined, String(re));
  }
});
