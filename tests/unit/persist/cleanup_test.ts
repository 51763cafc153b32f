import { deepStrictEqual } from "node:assert";
import { cleanHistory } from "../../../src/persist/cleanup.ts";
import { partFileName, sessionStamp } from "../../../src/persist/history_dir.ts";
import { prng } from "../../_helpers/prng.ts";

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

/** A session's part file as s9s names them: its start first. */
function sessionName(start: number, i: number): string {
  return partFileName(
    `${sessionStamp(new Date(start))}-${i.toString(16).padStart(4, "0")}-job_${i}-stdout`,
    1,
  );
}

/** Parts of sessions started at `starts`, each last written `written[i]` ms after its start. */
async function sessions(
  starts: number[],
  written: number[],
): Promise<{ dir: string; names: string[]; mtimes: number[] }> {
  const dir = await Deno.makeTempDir();
  const names: string[] = [];
  const mtimes: number[] = [];
  for (let i = 0; i < starts.length; i++) {
    names.push(sessionName(starts[i], i));
    mtimes.push(Math.floor((starts[i] + written[i]) / 1000) * 1000); // whole seconds, as utime keeps
    await Deno.writeFile(`${dir}/${names[i]}`, new Uint8Array([0x1f, 0x8b]));
    await Deno.utime(`${dir}/${names[i]}`, mtimes[i] / 1000, mtimes[i] / 1000);
  }
  return { dir, names, mtimes };
}

/** A stat that counts its calls. */
function countingStat(): { stat: (p: string) => Promise<Deno.FileInfo>; calls: string[] } {
  const calls: string[] = [];
  return { calls, stat: (p) => (calls.push(p), Deno.stat(p)) };
}

Deno.test("cleanHistory at max_files stats the oldest sessions only, and removes the oldest", async () => {
  const now = Date.now();
  // 51 short sessions started a few minutes apart over the last days (a user's directory after
  // this run's file joined it), and the limits of the default config.
  const starts = Array.from({ length: 51 }, (_, i) => now - (51 - i) * 7 * 60_000);
  const { dir, names } = await sessions(starts, starts.map(() => 20_000));
  try {
    const { stat, calls } = countingStat();
    const removed = await cleanHistory(dir, { maxAgeMs: 7 * DAY, maxFiles: 50, now, stat });
    deepStrictEqual(removed, [`${dir}/${names[0]}`]);
    deepStrictEqual(calls.length <= 2, true, `stat'ed ${calls.length} files`);
    // Within both limits: nothing to stat at all.
    const again = countingStat();
    deepStrictEqual(
      await cleanHistory(dir, { maxAgeMs: 7 * DAY, maxFiles: 50, now, ...again }),
      [],
    );
    deepStrictEqual(again.calls, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cleanHistory goes by when a file was last written, not by its session's start", async () => {
  const now = Date.now();
  const h = 3_600_000;
  // s0 started first but was written until an hour ago; s1 and s2 ended long before. An age limit
  // of 8 h and a count limit of 2: s2 (written 9 h ago) is too old, then s1 is the oldest of 2.
  const { dir, names } = await sessions(
    [now - 30 * h, now - 20 * h, now - 10 * h, now - 5 * h],
    [29 * h, 60_000, 60_000, 60_000],
  );
  try {
    const removed = await cleanHistory(dir, { maxAgeMs: 8 * h, maxFiles: 2, now });
    deepStrictEqual(
      removed.map((p) => p.slice(dir.length + 1)).sort(),
      [names[1], names[2]].sort(),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cleanHistory removes what stat'ing every file would, whatever the starts and writes", async () => {
  // A reference: every file stat'ed, newest first (by name on a tie), kept while within both
  // limits or in use — the rule the documentation gives. Random directories against it.
  const rand = prng(7);
  const now = Date.now();
  const spans = [5_000, 300_000, 10 * DAY]; // starts within seconds, minutes, days
  const scales = [2_000, 600_000, 3 * DAY]; // each written for seconds, minutes, days
  const pick = (a: number[]) => a[Math.floor(rand() * a.length)];
  for (let round = 0; round < 100; round++) {
    const n = 1 + Math.floor(rand() * 16);
    const span = pick(spans);
    const starts = Array.from({ length: n }, () => now - 3 * DAY - Math.floor(rand() * span));
    const written = starts.map(() => Math.floor(rand() * pick(scales)));
    const { dir, names, mtimes } = await sessions(starts, written);
    try {
      const maxFiles = rand() < 0.2 ? undefined : Math.floor(rand() * (n + 2));
      const maxAgeMs = rand() < 0.3 ? 0 : Math.floor(rand() * 12 * DAY);
      const keep = new Set(names.filter(() => rand() < 0.15).map((x) => `${dir}/${x}`));
      const order = names.map((_, i) => i).sort((a, b) =>
        mtimes[b] - mtimes[a] || (names[b] < names[a] ? -1 : names[b] > names[a] ? 1 : 0)
      );
      const expected: string[] = [];
      let kept = 0;
      for (const i of order) {
        const path = `${dir}/${names[i]}`;
        const tooOld = !!maxAgeMs && now - mtimes[i] > maxAgeMs;
        const tooMany = maxFiles !== undefined && kept >= maxFiles;
        if (keep.has(path) || !(tooOld || tooMany)) kept++;
        else expected.push(path);
      }
      const everyFile = rand() < 0.3;
      const removed = await cleanHistory(dir, { maxAgeMs, maxFiles, keep, now, everyFile });
      deepStrictEqual(removed.sort(), expected.sort(), `round ${round}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
});

Deno.test("cleanHistory by every file's time finds a file whose time was set back", async () => {
  const now = Date.now();
  const { dir, names } = await sessions([now - DAY, now - 2 * DAY], [60_000, 60_000]);
  try {
    const old = new Date(now - 30 * DAY);
    await Deno.utime(`${dir}/${names[0]}`, old, old);
    // Each run's cleanup goes by the session's start (a day ago: young enough) …
    deepStrictEqual(await cleanHistory(dir, { maxAgeMs: 7 * DAY, now }), []);
    // … `history clean` by the file's time.
    const removed = await cleanHistory(dir, { maxAgeMs: 7 * DAY, everyFile: true, now });
    deepStrictEqual(removed, [`${dir}/${names[0]}`]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
