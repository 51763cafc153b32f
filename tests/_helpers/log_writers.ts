/**
 * Writers that rotate and truncate their log file as real ones do (Python's RotatingFileHandler,
 * logrotate's create and copytruncate), for the follower tests. A script runs in a worker
 * thread, synchronously and as fast as it says, so the test's own event loop stays free to read
 * the follower's output meanwhile (a blocked reader would stall the follower through its pipe).
 * @module
 */

const enc = new TextEncoder();

/** The modes a follower runs in: inotify (the default) and polling alone (NFS, Lustre). */
export const FOLLOW_MODES = [
  { name: "inotify", config: "streaming:\n  polling_interval: 100ms\n" },
  {
    name: "polling only",
    config: "streaming:\n  polling_interval: 50ms\n  file_polling:\n    use_inotify: false\n",
  },
];

/** Line `n` as every writer here writes it: a number and a body of varying length. */
export function lineOf(n: number): string {
  return `L${String(n).padStart(6, "0")} ${"y".repeat(10 + (n * 7) % 53)}`;
}

/** The number of a line written by {@link lineOf}, or NaN for anything else (a torn line). */
export function numberOf(line: string): number {
  const n = Number(line.slice(1, 7));
  return /^L\d{6} /.test(line) && line === lineOf(n) ? n : NaN;
}

/** One step of a writer: lines, a rotation (rename and create), copytruncate, a pause. */
export type WriterAction =
  | { write: number; count?: number }
  | { rotate: true }
  | { copytruncate: true; to?: string }
  | { truncate: true }
  | { pause: number };

/** What a worker runs. */
export type WriterScript =
  | { kind: "actions"; path: string; backups: number; actions: WriterAction[] }
  | {
    /** Lines first.. first+count-1 flat out, rotating before every `every` lines. */
    kind: "rotating";
    path: string;
    backups: number;
    first: number;
    count: number;
    every: number;
  }
  | {
    /** One line every `lineMs`, paced by the clock for `ms`; a rotation every `rotateMs`. */
    kind: "steady";
    path: string;
    backups: number;
    first: number;
    ms: number;
    lineMs: number;
    rotateMs: number;
  };

/** What a script did: the last line number written, and how many rotations. */
export interface WriterResult {
  last: number;
  rotations: number;
}

/** A log file written as Python's RotatingFileHandler writes it: shift backups, rename, reopen. */
export class RotatingWriter {
  #fd: Deno.FsFile;
  rotations = 0;
  constructor(readonly path: string, readonly backups: number) {
    this.#fd = Deno.openSync(path, { append: true, create: true });
  }
  /** Line `n`, in one write. */
  write(n: number): void {
    this.#fd.writeSync(enc.encode(lineOf(n) + "\n"));
  }
  /** Rename the file to `.1` (after moving `.1` to `.2`, …) and start a new one. */
  rotate(): void {
    this.#fd.close();
    for (let i = this.backups - 1; i >= 1; i--) {
      try {
        Deno.renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
      } catch { /* not there yet */ }
    }
    Deno.renameSync(this.path, `${this.path}.1`);
    this.#fd = Deno.openSync(this.path, { append: true, create: true });
    this.rotations++;
  }
  /** logrotate's copytruncate: copy the file (to `.1`), then empty it (the writer goes on). */
  copytruncate(to = `${this.path}.1`): void {
    Deno.copyFileSync(this.path, to);
    Deno.truncateSync(this.path, 0);
  }
  close(): void {
    this.#fd.close();
  }
}

/** Sleep `ms` without spinning (worker threads may block). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Run a script here (in the worker). */
export function runScript(s: WriterScript): WriterResult {
  const w = new RotatingWriter(s.path, s.backups);
  let last = 0;
  try {
    if (s.kind === "rotating") {
      for (let n = s.first; n < s.first + s.count; n++) {
        if (n > s.first && (n - s.first) % s.every === 0) w.rotate();
        w.write(last = n);
      }
    } else if (s.kind === "steady") {
      const start = performance.now();
      let nextRotation = start + s.rotateMs;
      let n = s.first - 1;
      while (performance.now() < start + s.ms) {
        const now = performance.now();
        if (now >= nextRotation) {
          w.rotate();
          nextRotation += s.rotateMs;
        }
        if ((n - s.first + 1) * s.lineMs <= now - start) w.write(++n);
      }
      last = n;
    } else {
      for (const a of s.actions) {
        if ("write" in a) {
          for (let i = 0; i < (a.count ?? 1); i++) w.write(last = a.write + i);
        } else if ("rotate" in a) w.rotate();
        else if ("copytruncate" in a) w.copytruncate(a.to);
        else if ("truncate" in a) Deno.truncateSync(s.path, 0);
        else sleepSync(a.pause);
      }
    }
  } finally {
    w.close();
  }
  return { last, rotations: w.rotations };
}

/** Run a script in a worker thread; resolves when it has written everything. */
export function runWriter(script: WriterScript): Promise<WriterResult> {
  return runWriters([script]).then((r) => r[0]);
}

/** Run scripts one after the other in one worker thread. */
export function runWriters(scripts: WriterScript[]): Promise<WriterResult[]> {
  const worker = new Worker(new URL("./log_writer_worker.ts", import.meta.url), {
    type: "module",
  });
  return new Promise<WriterResult[]>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<WriterResult[] | { error: string }>) => {
      worker.terminate();
      if ("error" in e.data) reject(new Error(e.data.error));
      else resolve(e.data);
    };
    worker.onerror = (e) => {
      worker.terminate();
      e.preventDefault();
      reject(new Error(e.message));
    };
    worker.postMessage(scripts);
  });
}

/** How `got` differs from lines 1..n once each, in order: lost, doubled, torn, out of order. */
export function audit(got: string[], n: number, mustHave?: Set<number>): string {
  const seen = new Set<number>();
  let torn = 0, doubled = 0, disorder = 0, last = 0, firstDisorder = "";
  for (const l of got) {
    const num = numberOf(l);
    if (Number.isNaN(num)) {
      torn++;
      continue;
    }
    if (seen.has(num)) doubled++;
    if (num < last && disorder++ === 0) firstDisorder = ` (first ${num} after ${last})`;
    last = num;
    seen.add(num);
  }
  let lost = 0;
  let firstLost = 0;
  for (let i = 1; i <= n; i++) {
    if (!seen.has(i) && (!mustHave || mustHave.has(i))) {
      lost++;
      firstLost ||= i;
    }
  }
  return lost + torn + doubled + disorder === 0
    ? "ok"
    : `lost ${lost} (first ${firstLost}), torn ${torn}, doubled ${doubled}, out of order ${disorder}${firstDisorder} of ${n}`;
}
