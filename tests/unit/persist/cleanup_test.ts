import { deepStrictEqual } from "node:assert";
import { cleanHistory } from "../../../src/persist/cleanup.ts";
import { partFileName } from "../../../src/persist/history_dir.ts";

const DAY = 86_400_000;

async function fixture(ages: number[]): Promise<{ dir: string; names: string[] }> {
  const dir = await Deno.makeTempDir();
  const now = Date.now();
  const names = ages.map((_, i) => partFileName(`s${i}`, 1));
  for (let i = 0; i < ages.length; i++) {
    const p = `${dir}/${names[i]}`;
    await Deno.writeFile(p, new Uint8Array([0x1f, 0x8b]));
    const t = new Date(now - ages[i] * DAY);
    await Deno.utime(p, t, t);
  }
  await Deno.writeTextFile(`${dir}/index.json`, "{}");
  await Deno.writeTextFile(`${dir}/notes.txt`, "not ours");
  return { dir, names };
}

const left = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

Deno.test("cleanHistory removes exactly the files past the age limit", async () => {
  const { dir, names } = await fixture([0.5, 6.9, 7.1, 30]);
  try {
    const removed = await cleanHistory(dir, { maxAgeMs: 7 * DAY });
    deepStrictEqual(
      removed.map((p) => p.slice(dir.length + 1)).sort(),
      [names[2], names[3]].sort(),
    );
    deepStrictEqual(left(dir), [names[0], names[1], "index.json", "notes.txt"].sort());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cleanHistory keeps only the newest max_files and never the files in use", async () => {
  const { dir, names } = await fixture([5, 1, 3, 2, 4]);
  try {
    // Newest first: s1 (1d), s3 (2d), s2 (3d), s4 (4d), s0 (5d). s0 is in use.
    const removed = await cleanHistory(dir, { maxFiles: 2, keep: new Set([`${dir}/${names[0]}`]) });
    deepStrictEqual(
      removed.map((p) => p.slice(dir.length + 1)).sort(),
      [names[2], names[4]].sort(),
    );
    deepStrictEqual(left(dir), [names[0], names[1], names[3], "index.json", "notes.txt"].sort());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cleanHistory removes spill files of processes that are gone", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/spill`);
    await Deno.writeFile(`${dir}/spill/999999999-x-abc.gz`, new Uint8Array(1));
    await Deno.writeFile(`${dir}/spill/${Deno.pid}-x-abc.gz`, new Uint8Array(1));
    await cleanHistory(dir, { maxAgeMs: 7 * DAY });
    deepStrictEqual(left(`${dir}/spill`), [`${Deno.pid}-x-abc.gz`]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cleanHistory reports a spill path it cannot list instead of skipping it", async () => {
  const { dir } = await fixture([1]);
  try {
    await Deno.writeTextFile(`${dir}/spill`, "a file where the spill directory should be");
    let failed: unknown;
    await cleanHistory(dir, { maxAgeMs: 7 * DAY }).catch((err) => failed = err);
    deepStrictEqual(failed instanceof Deno.errors.NotADirectory, true, String(failed));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
