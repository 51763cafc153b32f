/**
 * Soak: `deno task bench soak` (opt-in: a full `deno task bench` skips it). One hour by default
 * (S9S_SOAK_SECONDS to shorten): 20 files written at moderate rates (5–50 lines/s each) and
 * followed by one `s9s stream`; every file is rotated once a minute (rename and recreate, the
 * writer adding a few lines to the old file after the rename), and once a minute one file is
 * "requeued": its writer stops, and once s9s has delivered all of it the file is truncated and
 * rewritten from the start with new lines, as a requeued job does (the Slurm-free requeue).
 *
 * Reports lines written, lost and doubled (both must be 0), and RSS and open descriptors of s9s
 * sampled every 10 s (first, last, max; the series on stderr) — they must stay flat.
 * @module
 */
import {
  benchConfig,
  type BenchRow,
  benchTmp,
  procRssMb,
  round,
  s9sCmd,
  sleep,
  spawnGroup,
} from "./_common.ts";

const FILES = 20;
const SECONDS = Number(Deno.env.get("S9S_SOAK_SECONDS") ?? 3600);
const SAMPLE_MS = 10_000;
const PAD = " INFO soak step done loss=0.1234 lr=3.0e-4 padding-to-look-like-a-real-log-line";
const enc = new TextEncoder();

interface Writer {
  path: string;
  rate: number;
  file: Deno.FsFile;
  written: number; // next sequence number
  paused: boolean;
  due: number; // lines owed since start (fractional)
}

function fdCount(pid: number): number {
  try {
    let n = 0;
    for (const _ of Deno.readDirSync(`/proc/${pid}/fd`)) n++;
    return n;
  } catch {
    return NaN;
  }
}

function write(w: Writer, n: number, file = w.file): void {
  let s = "";
  for (let i = 0; i < n; i++) s += `${w.path.slice(-6)} ${w.written++}${PAD}\n`;
  const b = enc.encode(s);
  let off = 0;
  while (off < b.length) off += file.writeSync(b.subarray(off));
}

/** Run the soak; rows for the bench table. */
export async function run(): Promise<BenchRow[]> {
  const dir = `${benchTmp()}/soak`;
  Deno.mkdirSync(dir, { recursive: true });
  const { config, env } = benchConfig(
    "soak",
    "streaming:\n  max_concurrent_streams: 100\n  polling_interval: 200ms\n",
  );
  const writers: Writer[] = [];
  for (let i = 0; i < FILES; i++) {
    const path = `${dir}/job${String(i).padStart(2, "0")}.out`;
    const file = Deno.openSync(path, { append: true, create: true });
    writers.push({
      path,
      rate: 5 + (i * 45) / (FILES - 1),
      file,
      written: 0,
      paused: false,
      due: 0,
    });
  }
  // Received sequence numbers per file: a bitmap, to count lost and doubled lines.
  const seen = writers.map(() => new Uint8Array(1024));
  let doubled = 0;
  let received = 0;
  let foreign = 0;
  const byName = new Map(writers.map((w, i) => [w.path.slice(-6), i]));
  const onLine = (line: string) => {
    const m = /"content":"(\S+) (\d+) /.exec(line);
    if (!m) return;
    const i = byName.get(m[1]);
    if (i === undefined) return void foreign++;
    const seq = Number(m[2]);
    let bits = seen[i];
    if (seq >= bits.length) {
      const next = new Uint8Array(Math.max(bits.length * 2, seq + 1));
      next.set(bits);
      bits = seen[i] = next;
    }
    if (bits[seq]) doubled++;
    bits[seq] = 1;
    received++;
  };
  const got = (i: number) => {
    let n = 0;
    for (const b of seen[i]) n += b;
    return n;
  };
  const args = ["stream", "--config", config, "-o", "json"];
  for (const w of writers) args.push("--path", w.path);
  const proc = spawnGroup(s9sCmd(...args), { env, onLine });
  const samples: { t: number; rss: number; fds: number; lines: number }[] = [];
  const start = Date.now();
  const elapsed = () => (Date.now() - start) / 1000;
  let rotations = 0;
  let requeues = 0;
  let nextSample = 0;
  const rotatedAt = writers.map(() => -1); // minute of each file's last rotation
  let requeuedAt = -1; // minute of the last requeue
  try {
    while (elapsed() < SECONDS) {
      await sleep(50);
      const t = elapsed();
      for (const w of writers) {
        if (w.paused) continue;
        w.due += w.rate * 0.05;
        const n = Math.floor(w.due);
        if (n > 0) {
          write(w, n);
          w.due -= n;
        }
      }
      // Each file rotates once a minute, file i at second 3*i of the minute.
      const minute = Math.floor(t / 60);
      const sec = Math.floor(t) % 60;
      const i = Math.floor(sec / 3);
      const w = writers[i];
      if (t >= 5 && !w.paused && rotatedAt[i] !== minute) {
        rotatedAt[i] = minute;
        Deno.renameSync(w.path, `${w.path}.${rotations}`);
        write(w, 3); // the writer has not reopened yet: these go to the rotated file
        w.file.close();
        w.file = Deno.openSync(w.path, { append: true, create: true });
        rotations++;
      }
      // Once a minute (at second 30), one file is requeued.
      if (sec >= 30 && requeuedAt !== minute) {
        requeuedAt = minute;
        const r = writers[(requeues * 7 + 1) % FILES];
        void requeue(r, writers.indexOf(r));
        requeues++;
      }
      if (Date.now() - start >= nextSample) {
        nextSample += SAMPLE_MS;
        const s = {
          t: Math.round(t),
          rss: round(procRssMb(proc.pid), 1),
          fds: fdCount(proc.pid),
          lines: received,
        };
        samples.push(s);
        console.error(`  soak t=${s.t}s rss=${s.rss} MB fds=${s.fds} lines=${s.lines}`);
      }
    }
    // Let s9s catch up, then count.
    const total = () => writers.reduce((n, w) => n + w.written, 0);
    const end = Date.now() + 30_000;
    while (Date.now() < end && received < total()) await sleep(100);
  } finally {
    for (const w of writers) w.file.close();
    await proc.stop();
  }
  const written = writers.reduce((n, w) => n + w.written, 0);
  const lost = writers.reduce((n, w, i) => n + (w.written - got(i)), 0);
  const rss = samples.map((s) => s.rss).filter(Number.isFinite);
  const fds = samples.map((s) => s.fds).filter(Number.isFinite);
  const mid = samples[Math.floor(samples.length / 2)] ?? samples[0];
  const note = `${SECONDS} s, ${FILES} files, ${rotations} rotations, ${requeues} requeues`;
  return [
    { case: "soak", metric: "lines written", s9s: written, unit: "lines", note },
    { case: "soak", metric: "lines lost", s9s: lost, reference: 0, unit: "lines" },
    {
      case: "soak",
      metric: "lines doubled",
      s9s: doubled,
      reference: 0,
      unit: "lines",
      note: foreign ? `${foreign} foreign` : undefined,
    },
    {
      case: "soak",
      metric: "RSS first / middle / last",
      s9s: `${rss[0]} / ${mid?.rss} / ${rss.at(-1)}`,
      unit: "MB",
      note: `max ${Math.max(...rss)}`,
    },
    {
      case: "soak",
      metric: "fds first / middle / last",
      s9s: `${fds[0]} / ${mid?.fds} / ${fds.at(-1)}`,
      unit: "fds",
      note: `max ${Math.max(...fds)}`,
    },
  ];

  /** Stop the writer, wait until s9s has all of its lines, then truncate and rewrite. */
  async function requeue(w: Writer, i: number): Promise<void> {
    w.paused = true;
    const end = Date.now() + 30_000;
    while (Date.now() < end && got(i) < w.written) await sleep(50);
    const f = Deno.openSync(w.path, { write: true, truncate: true });
    write(w, 50, f); // the new run's first lines, written at once
    f.close();
    w.file.close();
    w.file = Deno.openSync(w.path, { append: true, create: true });
    w.due = 0;
    w.paused = false;
  }
}

if (import.meta.main) {
  const { table } = await import("../bench.ts");
  console.log(table(await run()));
}
