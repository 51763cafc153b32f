/**
 * Firehose memory bench: 20 writer processes append 20,000 lines/s each to their own file while
 * one s9s engine process (StreamManager with buffers, plus the history recorder, as the TUI runs
 * it) follows all 20. Reports the engine's peak RSS against `streaming.memory_limit`, and whether
 * it kept up.
 *
 *   deno run -A scripts/bench/firehose_memory.ts          # 60 s (S9S_BENCH_SHORT=1: 10 s)
 *   S9S_BENCH_FIREHOSE_SECONDS=30 deno run -A scripts/bench/firehose_memory.ts
 *
 * The same file is also the writer (`--writer`) and the engine (`--engine`) subprocess.
 * @module
 */

import type { BenchRow } from "./_common.ts";
export type { BenchRow };

const SELF = new URL(import.meta.url).pathname;
const STREAMS = 20;
const RATE = 20_000;
const MB = 1024 * 1024;

function seconds(): number {
  const v = Number(Deno.env.get("S9S_BENCH_FIREHOSE_SECONDS"));
  if (v > 0) return v;
  return Deno.env.get("S9S_BENCH_SHORT") === "1" ? 10 : 60;
}

/** Run the bench; returns its rows. */
export async function run(): Promise<BenchRow[]> {
  const secs = seconds();
  const dir = await Deno.makeTempDir({ prefix: "s9s-firehose-" });
  const memoryLimit = 500 * MB;
  try {
    await Deno.writeTextFile(
      `${dir}/config.yaml`,
      `streaming:\n  memory_limit: 500MB\n  persistence:\n    directory: ${dir}/history\n`,
    );
    const files = Array.from({ length: STREAMS }, (_, i) => `${dir}/job${i + 1}.out`);
    for (const f of files) await Deno.writeTextFile(f, "");
    const engine = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        // The V8 flags s9s ships with (deno.json's s9s task), unless overridden.
        `--v8-flags=${Deno.env.get("S9S_BENCH_V8_FLAGS") ?? shippedV8Flags()}`,
        SELF,
        "--engine",
        `${dir}/config.yaml`,
        ...files,
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const writers = files.map((f) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", SELF, "--writer", f, String(RATE), String(secs)],
        stdin: "null",
        stdout: "piped",
        stderr: "inherit",
      }).spawn()
    );
    let peakSampled = 0;
    const sampler = setInterval(() => {
      peakSampled = Math.max(peakSampled, procKb(engine.pid, "VmRSS") * 1024);
    }, 250);
    const written = (await Promise.all(writers.map(async (w) =>
      Number(new TextDecoder().decode((await w.output()).stdout))
    )))
      .reduce((a, b) =>
        a + b, 0);
    // Give the engine a moment to drain what was written last, then stop it.
    const drainStart = Date.now();
    let read = 0;
    while (Date.now() - drainStart < 15_000) {
      read = await engineLines(dir);
      if (read >= written) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const drainMs = Date.now() - drainStart;
    const peak = Math.max(peakSampled, procKb(engine.pid, "VmHWM") * 1024);
    clearInterval(sampler);
    engine.kill("SIGTERM");
    const out = new TextDecoder().decode((await engine.output()).stdout);
    const stats = JSON.parse(out.trim().split("\n").at(-1) || "{}") as {
      lines?: number;
      discarded?: number;
      peak?: { heapTotal: number; heapUsed: number; external: number };
    };
    let disk = 0;
    try {
      for await (const e of Deno.readDir(`${dir}/history`)) {
        if (e.isFile) disk += (await Deno.stat(`${dir}/history/${e.name}`)).size;
      }
    } catch { /* no history written */ }
    const c = `firehose ${STREAMS}×${RATE / 1000}k lines/s, ${secs}s`;
    return [
      {
        case: c,
        metric: "peak RSS",
        s9s: round(peak / MB),
        reference: memoryLimit / MB,
        unit: "MB",
        note: "reference: streaming.memory_limit",
      },
      {
        case: c,
        metric: "peak JS heap (total / external)",
        s9s: stats.peak
          ? `${round(stats.peak.heapTotal / MB)} / ${round(stats.peak.external / MB)}`
          : "?",
        unit: "MB",
        note: "main isolate only",
      },
      {
        case: c,
        metric: "lines written",
        s9s: written,
        reference: STREAMS * RATE * secs,
        unit: "lines",
        note: "reference: the target rate",
      },
      {
        case: c,
        metric: "lines read",
        s9s: stats.lines ?? read,
        reference: written,
        unit: "lines",
      },
      { case: c, metric: "drain after writers stopped", s9s: round(drainMs / 1000), unit: "s" },
      {
        case: c,
        metric: "discarded lines",
        s9s: stats.discarded ?? "?",
        reference: 0,
        unit: "lines",
      },
      { case: c, metric: "history on disk", s9s: round(disk / MB), unit: "MB", note: "gzip" },
    ];
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function procKb(pid: number, field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(
      Deno.readTextFileSync(`/proc/${pid}/status`),
    );
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

async function engineLines(dir: string): Promise<number> {
  try {
    return Number(await Deno.readTextFile(`${dir}/engine.lines`)) || 0;
  } catch {
    return 0;
  }
}

/** Child: append `rate` lines/s to `path` for `secs` seconds, in 20 ms steps; print the count. */
async function writer(path: string, rate: number, secs: number): Promise<void> {
  const f = await Deno.open(path, { append: true });
  const enc = new TextEncoder();
  const start = performance.now();
  let n = 0;
  while (true) {
    const el = (performance.now() - start) / 1000;
    if (el >= secs) break;
    const target = Math.floor(el * rate);
    if (target > n) {
      let s = "";
      for (let i = n + 1; i <= target; i++) {
        s += `${i} firehose step=${i % 1000} loss=${(1 / i).toFixed(6)} some payload text\n`;
      }
      const b = enc.encode(s);
      let off = 0;
      while (off < b.length) off += await f.write(b.subarray(off));
      n = target;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  f.close();
  console.log(n);
}

/** Child: the engine following every file, with buffers and history, until SIGTERM. */
async function engine(configFile: string, files: string[]): Promise<void> {
  const { loadConfig } = await import("../../src/config/load.ts");
  const { StreamManager } = await import("../../src/engine/stream_manager.ts");
  const { NO_DEBUG } = await import("../../src/core/debug_log.ts");
  const { attachRecorders } = await import("../../src/persist/attach.ts");
  const { config } = await loadConfig({ file: configFile });
  // S9S_BENCH_BUFFERS=0 / S9S_BENCH_HISTORY=0 turn the parts off, to see what each costs.
  const manager = new StreamManager({
    config,
    keepBuffers: Deno.env.get("S9S_BENCH_BUFFERS") !== "0",
  });
  const close = Deno.env.get("S9S_BENCH_HISTORY") === "0"
    ? async () => {}
    : await attachRecorders(manager, {
      config,
      debug: NO_DEBUG,
      warn: (m) => console.error(`warning: ${m}`),
    });
  let lines = 0;
  manager.subscribe({ onLines: (_s, b) => void (lines += b.count) });
  const dir = configFile.slice(0, configFile.lastIndexOf("/"));
  const peak = { heapTotal: 0, heapUsed: 0, external: 0 };
  const tick = setInterval(() => {
    Deno.writeTextFileSync(`${dir}/engine.lines`, String(lines));
    const m = Deno.memoryUsage();
    peak.heapTotal = Math.max(peak.heapTotal, m.heapTotal);
    peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
    peak.external = Math.max(peak.external, m.external);
  }, 100);
  for (const f of files) {
    const label = f.slice(f.lastIndexOf("/") + 1);
    await manager.startStream({ kind: "file", label, path: f }, "stdout", { follow: true });
  }
  await new Promise<void>((resolve) => Deno.addSignalListener("SIGTERM", () => resolve()));
  clearInterval(tick);
  manager.close();
  await close();
  const discarded = manager.streams.reduce((n, s) => n + s.discarded, 0);
  console.log(JSON.stringify({ lines, discarded, peak }));
  Deno.exit(0);
}

if (import.meta.main) {
  const [mode, ...rest] = Deno.args;
  if (mode === "--writer") await writer(rest[0], Number(rest[1]), Number(rest[2]));
  else if (mode === "--engine") await engine(rest[0], rest.slice(1));
  else {
    const rows = await run();
    console.table(rows);
  }
}

/** The --v8-flags of the `s9s` task in deno.json (what users run). */
function shippedV8Flags(): string {
  const cfg = JSON.parse(Deno.readTextFileSync(new URL("../../deno.json", import.meta.url)));
  return /--v8-flags=(\S+)/.exec(cfg.tasks?.s9s ?? "")?.[1] ?? "";
}
