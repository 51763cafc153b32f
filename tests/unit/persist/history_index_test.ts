import { deepStrictEqual, strictEqual } from "node:assert";
import { encodeMember } from "../../../src/codec/gzip_chunk.ts";
import { partFileName } from "../../../src/persist/history_dir.ts";
import {
  loadIndex,
  type MemberMeta,
  sessionsOf,
  type StreamMeta,
} from "../../../src/persist/history_index.ts";

const enc = new TextEncoder();
const META: Omit<StreamMeta, "part"> = {
  id: "20261202-160000-abcd-42-stdout",
  job_id: "42",
  type: "stdout",
  node: null,
  source: "file",
  path: "/tmp/x.out",
};

/** Two members of `lines` lines each, as a writer makes them. */
function members(lines: number): Uint8Array[] {
  const text = (from: number) =>
    enc.encode(Array.from({ length: lines }, (_, i) => `line ${from + i}\n`).join(""));
  const first: MemberMeta = { l: 1, r: [[lines, 1000]], s: { ...META, part: 1 } };
  const second: MemberMeta = { l: lines + 1, r: [[lines, 2000]] };
  return [encodeMember(text(1), first, 6), encodeMember(text(lines + 1), second, 6)];
}

Deno.test("loadIndex counts a part's real size and marks a partial member as cut", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const [a, b] = members(100);
    // The second member only partly reached the disk (a full disk, a crash).
    const file = new Uint8Array([...a, ...b.subarray(0, Math.floor(b.length / 2))]);
    await Deno.writeFile(`${dir}/${partFileName(META.id, 1)}`, file);
    const [entry, ...rest] = await loadIndex(dir);
    strictEqual(rest.length, 0);
    deepStrictEqual(
      { lines: entry.lines, size: entry.size, cut: entry.cut },
      { lines: 100, size: file.length, cut: true },
    );
    const [s] = sessionsOf([entry]);
    deepStrictEqual({ size: s.size, cut: s.cut, lines: s.lines }, {
      size: file.length,
      cut: true,
      lines: 100,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadIndex leaves a part that ends on a whole member uncut", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const [a, b] = members(10);
    await Deno.writeFile(`${dir}/${partFileName(META.id, 1)}`, new Uint8Array([...a, ...b]));
    const [entry] = await loadIndex(dir);
    deepStrictEqual([entry.lines, entry.size, entry.cut], [20, a.length + b.length, undefined]);
    deepStrictEqual(sessionsOf([entry])[0].cut, false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadIndex reports an index file it cannot read instead of rebuilding over it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/index.json`); // a directory where the index should be: unreadable
    let failed: unknown;
    await loadIndex(dir).catch((err) => failed = err);
    strictEqual(failed instanceof Deno.errors.IsADirectory, true, String(failed));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
