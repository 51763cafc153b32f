import * as node from "node:path";
import { assertEquals } from "../../_helpers/assert.ts";
import {
  basename,
  dirname,
  isAbsolute,
  join,
  normalize,
  resolve,
} from "../../../src/platform/posix_path.ts";

/** A small seeded generator (the same cases every run). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PIECES = ["", "/", "//", ".", "..", "a", "b.log", "~", "x y", "%j", ".s9s", "é"];

function randomPath(r: () => number): string {
  let p = "";
  const n = Math.floor(r() * 6);
  for (let i = 0; i < n; i++) p += PIECES[Math.floor(r() * PIECES.length)] + (r() < 0.6 ? "/" : "");
  return p;
}

Deno.test("posix_path gives node:path's results on 5,000 generated paths", () => {
  const r = rng(12345);
  for (let i = 0; i < 5000; i++) {
    const a = randomPath(r);
    const b = randomPath(r);
    const c = randomPath(r);
    const at = `${JSON.stringify([a, b, c])}`;
    assertEquals(normalize(a), node.posix.normalize(a), `normalize ${at}`);
    assertEquals(join(a, b, c), node.posix.join(a, b, c), `join ${at}`);
    assertEquals(join(), node.posix.join(), "join()");
    assertEquals(resolve(a, b), node.posix.resolve(a, b), `resolve ${at}`);
    assertEquals(resolve(a), node.posix.resolve(a), `resolve ${at}`);
    assertEquals(dirname(a), node.posix.dirname(a), `dirname ${at}`);
    assertEquals(basename(a), node.posix.basename(a), `basename ${at}`);
    assertEquals(isAbsolute(a), node.posix.isAbsolute(a), `isAbsolute ${at}`);
  }
});

Deno.test("posix_path: the cases s9s meets", () => {
  assertEquals(join("/home/u", ".s9s"), "/home/u/.s9s");
  assertEquals(join("out.lo", "x"), "out.lo/x");
  assertEquals(dirname("/scratch/u/run/slurm-12.out"), "/scratch/u/run");
  assertEquals(dirname("slurm-12.out"), ".");
  assertEquals(basename("/scratch/u/run/slurm-12.out"), "slurm-12.out");
  assertEquals(resolve("/a/b", "../c"), "/a/c");
  assertEquals(resolve("rel"), `${Deno.cwd()}/rel`);
});
