/**
 * Bench writer process: appends lines to files at a fixed rate, each line carrying its write
 * time (performance.timeOrigin + performance.now(), ms) so a reader can compute latency.
 *
 *   deno run -A _writer.ts [--shape SHAPE] RATE_PER_FILE SECONDS FILE…
 *
 * How the lines reach each file (the rate is the same in every shape):
 * - `ms` (default): every millisecond, the lines due by then (one or two at 1,000 lines/s).
 * - `lines10`: every 10 ms, the lines due by then (10 at 1,000 lines/s): a program that prints
 *   and flushes a few lines at a time.
 * - `block4k`: the lines go through a 4 KiB buffer per file, written whole when full, cutting
 *   lines anywhere, the rest at the end: stdio's full buffering when stdout is a file.
 *
 * Line format: "<file index> <seq> <write time ms> <padding>" (the time is when the line was
 * made). Prints the lines written per file as JSON on stdout when done.
 * @module
 */
const args = [...Deno.args];
let shape = "ms";
if (args[0] === "--shape") {
  shape = args[1];
  args.splice(0, 2);
}
if (!["ms", "lines10", "block4k"].includes(shape)) throw new Error(`unknown shape "${shape}"`);
const [rateArg, secsArg, ...files] = args;
const rate = Number(rateArg);
const secs = Number(secsArg);
const enc = new TextEncoder();
const handles = files.map((f) => Deno.openSync(f, { append: true, create: true }));
const written = files.map(() => 0);
const BLOCK = 4096;
const pending = files.map(() => new Uint8Array(BLOCK));
const pendingLen = files.map(() => 0);
const total = Math.round(rate * secs);
const pad =
  " INFO step done loss=0.1234 lr=3.0e-4 padding-to-look-like-a-real-log-line-of-about-100-bytes";
const now = () => performance.timeOrigin + performance.now();
const start = performance.now();
// Small ticks for high rates; at low rates one line per tick, exactly on time.
const tickMs = shape === "lines10" ? 10 : rate >= 1000 ? 1 : Math.max(1, Math.floor(1000 / rate));

function writeFull(f: number, b: Uint8Array): void {
  let off = 0;
  while (off < b.length) off += handles[f].writeSync(b.subarray(off));
}

/** stdio's full buffering: whole blocks out, the rest kept. */
function buffered(f: number, b: Uint8Array): void {
  let off = 0;
  while (off < b.length) {
    const n = Math.min(BLOCK - pendingLen[f], b.length - off);
    pending[f].set(b.subarray(off, off + n), pendingLen[f]);
    pendingLen[f] += n;
    off += n;
    if (pendingLen[f] === BLOCK) {
      writeFull(f, pending[f]);
      pendingLen[f] = 0;
    }
  }
}

while (true) {
  const elapsed = (performance.now() - start) / 1000;
  const due = Math.min(total, Math.floor(elapsed * rate) + 1);
  for (let f = 0; f < files.length; f++) {
    if (written[f] >= due) continue;
    const t = now().toFixed(3);
    let s = "";
    for (let i = written[f]; i < due; i++) s += `${f} ${i} ${t}${pad}\n`;
    const b = enc.encode(s);
    if (shape === "block4k") buffered(f, b);
    else writeFull(f, b);
    written[f] = due;
  }
  if (written.every((w) => w >= total)) break;
  await new Promise((r) => setTimeout(r, tickMs));
}
for (let f = 0; f < files.length; f++) {
  if (pendingLen[f] > 0) writeFull(f, pending[f].subarray(0, pendingLen[f]));
}
for (const h of handles) h.close();
console.log(JSON.stringify(written));
