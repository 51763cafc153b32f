/**
 * Bench writer process: appends lines to files at a fixed rate, each line carrying its write
 * time (performance.timeOrigin + performance.now(), ms) so a reader can compute latency.
 *
 *   deno run -A _writer.ts RATE_PER_FILE SECONDS FILE…
 *
 * Line format: "<file index> <seq> <write time ms> <padding>". Prints the lines written per file
 * as JSON on stdout when done.
 * @module
 */
const [rateArg, secsArg, ...files] = Deno.args;
const rate = Number(rateArg);
const secs = Number(secsArg);
const enc = new TextEncoder();
const handles = files.map((f) => Deno.openSync(f, { append: true, create: true }));
const written = files.map(() => 0);
const total = Math.round(rate * secs);
const pad =
  " INFO step done loss=0.1234 lr=3.0e-4 padding-to-look-like-a-real-log-line-of-about-100-bytes";
const now = () => performance.timeOrigin + performance.now();
const start = performance.now();
// Small ticks for high rates; at low rates one line per tick, exactly on time.
const tickMs = rate >= 1000 ? 1 : Math.max(1, Math.floor(1000 / rate));
while (true) {
  const elapsed = (performance.now() - start) / 1000;
  const due = Math.min(total, Math.floor(elapsed * rate) + 1);
  for (let f = 0; f < files.length; f++) {
    if (written[f] >= due) continue;
    const t = now().toFixed(3);
    let s = "";
    for (let i = written[f]; i < due; i++) s += `${f} ${i} ${t}${pad}\n`;
    const b = enc.encode(s);
    let off = 0;
    while (off < b.length) off += handles[f].writeSync(b.subarray(off));
    written[f] = due;
  }
  if (written.every((w) => w >= total)) break;
  await new Promise((r) => setTimeout(r, tickMs));
}
for (const h of handles) h.close();
console.log(JSON.stringify(written));
