/**
 * Benchmark: the TUI under a firehose. s9s runs in real tmux with the Stream Monitor following
 * a file (S9S_TUI_STREAM_PATH) while this script writes 100,000 lines/s into it. Measures
 * key-to-screen latency (send a key, poll capture-pane until its effect shows) idle and under
 * load, and the s9s process's CPU and RSS under load.
 *
 *   deno run -A scripts/bench/tui_firehose.ts
 * @module
 */
import { TmuxSession } from "../../tests/_helpers/tmux.ts";

import { type BenchRow, s9sTaskArgv } from "./_common.ts";
export type { BenchRow };

const RATE = 100_000; // lines per second
const SHORT = Deno.env.get("S9S_BENCH_SHORT") === "1";
const SAMPLES = SHORT ? 10 : 25;
const LOAD_SECONDS = SHORT ? 3 : 5;

/** The pid of s9s: the child of the pane's shell. */
async function s9sPid(t: TmuxSession): Promise<number> {
  const shell = Number(await t.display("#{pane_pid}")); // the session's own tmux server
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    for (const e of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(e.name)) continue;
      try {
        const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        if (ppid === shell) return Number(e.name);
      } catch { /* gone */ }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("s9s process not found");
}

function cpuTicks(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(f[11]) + Number(f[12]); // utime + stime
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(Deno.readTextFileSync(`/proc/${pid}/status`));
  return m ? Number(m[1]) / 1024 : NaN;
}

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** Press `t` (timestamps on/off) and time until the status line shows the new state. */
async function keyLatencies(t: TmuxSession, n: number): Promise<number[]> {
  const out: number[] = [];
  let on = (await t.capture()).includes("timestamps on");
  for (let i = 0; i < n; i++) {
    const want = on ? "timestamps off" : "timestamps on";
    const t0 = performance.now();
    await t.keys("t");
    await t.waitFor(want, { timeout: 10_000, pollMs: 2 });
    out.push(performance.now() - t0);
    on = !on;
  }
  return out;
}

// The writer runs in a worker so that generating 100k lines/s does not delay this script's
// key timing.
const WRITER = `
self.onmessage = (e) => {
  if (e.data.stop) { self.stop = true; return; }
  const { path, rate } = e.data;
  const file = Deno.openSync(path, { write: true, append: true });
  const enc = new TextEncoder();
  const t0 = performance.now();
  let written = 0;
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - t0) / 1000) * rate) - written;
    if (due > 0) {
      let text = "";
      for (let i = 0; i < due; i++) {
        const k = written + i + 1;
        text += k + " INFO firehose step=" + k + " value=" + (k * 0.001).toFixed(3) +
          (k % 1000 === 0 ? " WARNING slow" : "") + "\\n";
      }
      file.writeSync(enc.encode(text));
      written += due;
    }
    if (self.stop) {
      clearInterval(timer);
      file.close();
      self.postMessage(written);
    }
  }, 10);
};
`;

/** Write `RATE` lines/s into `path` until `signal` aborts; returns lines written. */
function firehose(path: string, signal: AbortSignal): Promise<number> {
  const url = URL.createObjectURL(new Blob([WRITER], { type: "application/javascript" }));
  const worker = new Worker(url, { type: "module" });
  worker.postMessage({ path, rate: RATE });
  return new Promise((resolve) => {
    worker.onmessage = (e) => {
      worker.terminate();
      URL.revokeObjectURL(url);
      resolve(e.data as number);
    };
    signal.addEventListener("abort", () => worker.postMessage({ stop: true }), { once: true });
  });
}

/** The --v8-flags value of the `s9s` task in deno.json. */
function taskV8Flags(): string {
  const flag = s9sTaskArgv().find((a) => a.startsWith("--v8-flags="));
  return flag ? flag.slice("--v8-flags=".length) : "";
}

/** Run the benchmark. */
export async function run(): Promise<BenchRow[]> {
  const dir = await Deno.makeTempDir({ prefix: "s9s-bench-tui-" });
  const path = `${dir}/firehose.out`;
  await Deno.writeTextFile(path, "start\n");
  const t = await TmuxSession.start({
    args: Deno.env.get("S9S_BENCH_VERBOSE") ? ["--debug"] : [],
    // The TUI as the `s9s` task starts it: its --v8-flags (tmux runs `deno run -A --unsafe-proto
    // main.ts`, the task's other flags).
    env: { S9S_TUI_STREAM_PATH: path, DENO_V8_FLAGS: taskV8Flags() },
  });
  const rows: BenchRow[] = [];
  try {
    await t.waitFor("Job file [STDOUT]", { timeout: 20_000 });
    const pid = await s9sPid(t);
    await keyLatencies(t, 3); // warm up
    const idle = await keyLatencies(t, SAMPLES);
    const idleRss = rssMiB(pid);

    const stop = new AbortController();
    const writing = firehose(path, stop.signal);
    await new Promise((r) => setTimeout(r, 1000));
    const hz = 100; // USER_HZ on Linux
    const c0 = cpuTicks(pid);
    const w0 = performance.now();
    let maxRss = rssMiB(pid);
    const sampler = setInterval(() => (maxRss = Math.max(maxRss, rssMiB(pid))), 200);
    const loaded = await keyLatencies(t, SAMPLES);
    if (Deno.env.get("S9S_BENCH_VERBOSE")) {
      console.error(
        "loaded",
        loaded.map(Math.round).sort((a, b) => a - b),
      );
    }
    const left = LOAD_SECONDS * 1000 - (performance.now() - w0);
    if (left > 0) await new Promise((r) => setTimeout(r, left));
    const cpu = ((cpuTicks(pid) - c0) / hz) / ((performance.now() - w0) / 1000) * 100;
    clearInterval(sampler);
    stop.abort();
    const written = await writing;
    const screen = await t.waitFor((s) => Number(/(\d+) lines/.exec(s)?.[1] ?? 0) >= written, {
      timeout: 30_000,
    })
      .catch(() => t.capture());
    const shown = Number(/(\d+) lines/.exec(screen)?.[1] ?? 0);

    const f = (x: number) => Math.round(x * 10) / 10;
    rows.push(
      {
        case: "tui firehose 100k lines/s",
        metric: "key-to-screen p50",
        s9s: f(pct(loaded, 50)),
        reference: f(pct(idle, 50)),
        unit: "ms",
        note: "reference = idle",
      },
      {
        case: "tui firehose 100k lines/s",
        metric: "key-to-screen p99",
        s9s: f(pct(loaded, 99)),
        reference: f(pct(idle, 99)),
        unit: "ms",
        note: "reference = idle; includes tmux capture polling",
      },
      {
        case: "tui firehose 100k lines/s",
        metric: "cpu (s9s process)",
        s9s: f(cpu),
        unit: "% of one core",
      },
      {
        case: "tui firehose 100k lines/s",
        metric: "rss max",
        s9s: f(maxRss),
        reference: f(idleRss),
        unit: "MiB",
        note: "reference = idle",
      },
      {
        case: "tui firehose 100k lines/s",
        metric: "lines read by s9s / written",
        s9s: shown,
        reference: written,
        unit: "lines",
      },
    );
  } finally {
    await t.keys("C-c").catch(() => {});
    if (Deno.env.get("S9S_BENCH_VERBOSE")) {
      const log = await Deno.readTextFile(`${t.home}/.s9s/debug.log`).catch(() => "");
      console.error(log.split("\n").filter((l) => l.includes("TUI")).slice(-30).join("\n"));
    }
    await t.kill();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  return rows;
}

if (import.meta.main) {
  const rows = await run();
  console.table(rows);
}
