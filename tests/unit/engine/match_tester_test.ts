import { deepStrictEqual, notStrictEqual, strictEqual } from "node:assert";
import { matchTester } from "../../../src/engine/match_tester.ts";
import { compilePattern } from "../../../src/config/regex.ts";
import { BUILTIN_PATTERNS } from "../../../src/config/builtin_patterns.ts";
import { prng } from "../../_helpers/prng.ts";

const ALPHABET = "0123456789..%% :progesERWANrwn-_xab\t";

function randomLine(r: () => number): string {
  let s = "";
  const n = Math.floor(r() * 24);
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(r() * ALPHABET.length)];
  return s;
}

Deno.test("matchTester answers test() exactly as the pattern does, on the builtins and others", () => {
  const patterns = [
    ...Object.values(BUILTIN_PATTERNS),
    "\\d+%",
    "a+b|x+",
    "\\w+\\s+ERROR",
    "(?i)e+rr|\\d+\\.\\d+",
    "^\\d+%", // anchored: left as it is
    "(\\d+)x\\1", // backreference: left as it is
    "(?<=x)\\d+%", // lookbehind: left as it is
    "[0-9]+%|\\d+?%|a+?b",
  ];
  const r = prng(7);
  const lines = [
    "",
    "50%",
    "1.2.3%",
    "12.%",
    "99.5 %",
    "progress: 3",
    "x12%",
    "12x12",
    "aab",
    "ERROR",
    ...Array.from({ length: 3000 }, () => randomLine(r)),
  ];
  for (const p of patterns) {
    const re = compilePattern(p);
    const t = matchTester(re);
    for (const line of lines) {
      strictEqual(t.test(line), re.test(line), `${p} on ${JSON.stringify(line)}`);
    }
  }
});

Deno.test("matchTester rewrites the progress highlight and leaves unsafe patterns alone", () => {
  const progress = compilePattern(BUILTIN_PATTERNS.progress);
  notStrictEqual(matchTester(progress).source, progress.source);
  deepStrictEqual(matchTester(progress).flags, progress.flags);
  for (const p of ["^\\d+%", "(\\d+)x\\1", "(?<=x)\\d+%", "\\d+?%"]) {
    const re = compilePattern(p);
    strictEqual(matchTester(re), re, p);
  }
  const sticky = /\d+%/y;
  strictEqual(matchTester(sticky), sticky);
});
