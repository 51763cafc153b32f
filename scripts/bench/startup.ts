/**
 * Case 7, startup: `s9s --version` from source (and compiled, when `deno task compile` works
 * here) with hyperfine, beside `tail --version`; and the time to the first event of
 * `s9s stream --mock --job 1001 --output-format json`.
 * @module
 */
import {
  benchConfig,
  type BenchRow,
  benchTmp,
  median,
  ROOT,
  round,
  s9sCmd,
  SHORT,
  spawnGroup,
  waitFor,
} from "./_common.ts";

/** Median wall ms and mean CPU (user+system) ms of each command. */
async function hyperfine(cmds: string[], runs: number): Promise<{ wall: number; cpu: number }[]> {
  const out = `${benchTmp()}/hyperfine-${Math.random().toString(36).slice(2)}.json`;
  const res = await new Deno.Command("hyperfine", {
    args: ["-N", "--warmup", "2", "--runs", String(runs), "--export-json", out, ...cmds],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!res.success) {
    throw new Error(
      `hyperfine failed: ${new TextDecoder().decode(res.stderr).trim().slice(0, 200)}`,
    );
  }
  const json = JSON.parse(Deno.readTextFileSync(out)) as {
    results: { median: number; user: number; system: number }[];
  };
  return json.results.map((r) => ({ wall: r.median * 1000, cpu: (r.user + r.system) * 1000 }));
}

async function compiled(): Promise<string | undefined> {
  const bin = `${ROOT}/dist/s9s`;
  const res = await new Deno.Command("deno", {
    args: ["task", "compile"],
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (res.success) return bin;
  const err = new TextDecoder().decode(res.stderr);
  const why = err.match(/error: [^\n]*/)?.[0] ?? err.trim().split("\n")[0];
  throw new Error(why.slice(0, 140));
}

async function firstEvent(runs: number): Promise<number[]> {
  const cfg = benchConfig("startup", "streaming:\n  persistence:\n    enabled: false\n");
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    let at: number | undefined;
    const t0 = performance.timeOrigin + performance.now();
    const p = spawnGroup(
      s9sCmd(
        "--config",
        cfg.config,
        "stream",
        "--mock",
        "--job",
        "1001",
        "--output-format",
        "json",
      ),
      {
        env: cfg.env,
        onLine: (_l, t) => (at ??= t),
      },
    );
    try {
      await waitFor(() => at !== undefined, 15_000, 2);
    } finally {
      await p.stop();
    }
    if (at !== undefined) times.push(at - t0);
  }
  return times;
}

/** Run the case. */
export async function run(): Promise<BenchRow[]> {
  const runs = SHORT ? 5 : 15;
  const main = s9sCmd("--version").join(" ");
  const [src, tailV] = await hyperfine([main, "tail --version"], runs);
  const rows: BenchRow[] = [{
    case: "startup",
    metric: "--version, from source (deno run)",
    s9s: round(src.wall, 1),
    reference: round(tailV.wall, 1),
    unit: "ms",
    note: `hyperfine median of ${runs}; reference tail --version; target ≤ 150 ms; ` +
      `CPU user+sys ${
        round(src.cpu, 0)
      } ms (wall time suffers most from other load on the machine)`,
  }];
  try {
    const bin = await compiled();
    const [c] = await hyperfine([`${bin} --version`], runs);
    rows.push({
      case: "startup",
      metric: "--version, compiled (dist/s9s)",
      s9s: round(c.wall, 1),
      reference: round(tailV.wall, 1),
      unit: "ms",
      note: `CPU user+sys ${round(c.cpu, 0)} ms`,
    });
  } catch (err) {
    rows.push({
      case: "startup",
      metric: "--version, compiled (dist/s9s)",
      s9s: "n/a",
      unit: "ms",
      note: `deno task compile failed here: ${(err as Error).message}`,
    });
  }
  const fe = await firstEvent(SHORT ? 3 : 5);
  rows.push({
    case: "startup",
    metric: "first event of stream --mock --job 1001 -o json",
    s9s: round(median(fe), 0),
    reference: "",
    unit: "ms",
    note: `median of ${fe.length}, spawn to first stdout line`,
  });
  return rows;
}
