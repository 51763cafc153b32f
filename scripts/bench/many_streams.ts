/**
 * Case 3, many streams: 50 files written at 1,000 lines/s each for 10 s by one writer process, followed
 * by ONE `s9s stream --path F1 … --path F50` beside 50 `tail -F` processes: total CPU seconds,
 * peak RSS, lines lost (must be 0). Three writer shapes (see _writer.ts), each measured on its
 * own: every millisecond the lines due (one or two), 10 lines every 10 ms, and 4 KiB blocks as
 * stdio writes them to a file.
 * @module
 */
import {
  benchConfig,
  type BenchRow,
  benchTmp,
  procCpuSeconds,
  procPeakRssMb,
  ROOT,
  round,
  s9sCmd,
  SHORT,
  sleep,
  type Spawned,
  spawnGroup,
  waitFor,
  warmUp,
} from "./_common.ts";

const FILES = 50;
const RATE = 1000;
/** The writer shapes, with the words the rows use for them. */
const SHAPES: [shape: string, label: string][] = [
  ["ms", "lines as due every ms"],
  ["lines10", "10 lines every 10 ms"],
  ["block4k", "4 KiB blocks"],
];

/** Lines per file index in an output file (lines may carry a "[name:stdout] " prefix). */
function countByFile(paths: string[]): number[] {
  const counts = new Array<number>(FILES).fill(0);
  for (const p of paths) {
    let text: string;
    try {
      text = Deno.readTextFileSync(p);
    } catch {
      continue;
    }
    let pos = 0;
    while (pos < text.length) {
      let nl = text.indexOf("\n", pos);
      if (nl === -1) nl = text.length;
      let s = pos;
      if (text.charCodeAt(s) === 91 /* [ */) s = text.indexOf("] ", s) + 2;
      const sp = text.indexOf(" ", s);
      const f = Number(text.slice(s, sp));
      if (Number.isInteger(f) && f >= 0 && f < FILES && text.slice(s, s + 7) !== "# ready") {
        counts[f]++;
      }
      pos = nl + 1;
    }
  }
  return counts;
}

interface Outcome {
  cpu: number;
  /** CPU from the first write to the last line out (start-up excluded). */
  cpuDuring: number;
  rss: number;
  lost: number;
  written: number;
}

async function scenario(
  tag: string,
  start: (files: string[], outDir: string) => Spawned[],
  outputs: (outDir: string) => string[],
  secs: number,
  shape: string,
): Promise<Outcome> {
  const dir = `${benchTmp()}/many-${tag}`;
  const outDir = `${dir}/out`;
  Deno.mkdirSync(outDir, { recursive: true });
  const files = Array.from(
    { length: FILES },
    (_, i) => `${dir}/job-${String(i).padStart(2, "0")}.log`,
  );
  for (const f of files) Deno.writeTextFileSync(f, "# ready\n");
  const procs = start(files, outDir);
  try {
    const readyLines = () => {
      let n = 0;
      for (const p of outputs(outDir)) {
        try {
          n += (Deno.readTextFileSync(p).match(/# ready/g) ?? []).length;
        } catch { /* not yet */ }
      }
      return n;
    };
    if (!(await waitFor(() => readyLines() >= FILES, 20_000, 100))) {
      throw new Error(`${tag}: followers did not show the files' first lines`);
    }
    const cpuBefore = procs.reduce((a, p) => a + procCpuSeconds(p.pid), 0);
    const writer = await new Deno.Command("deno", {
      args: [
        "run",
        "--allow-all",
        `${ROOT}/scripts/bench/_writer.ts`,
        "--shape",
        shape,
        String(RATE),
        String(secs),
        ...files,
      ],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    const written = (JSON.parse(new TextDecoder().decode(writer.stdout)) as number[]).reduce(
      (a, b) => a + b,
      0,
    );
    let counts = countByFile(outputs(outDir));
    await waitFor(
      () => {
        counts = countByFile(outputs(outDir));
        return counts.reduce((a, b) => a + b, 0) >= written;
      },
      10_000,
      200,
    );
    await sleep(200);
    counts = countByFile(outputs(outDir));
    const cpu = procs.reduce((a, p) => a + procCpuSeconds(p.pid), 0);
    const rss = procs.reduce((a, p) => a + procPeakRssMb(p.pid), 0);
    const got = counts.reduce((a, b) => a + b, 0);
    return { cpu, cpuDuring: cpu - cpuBefore, rss, lost: written - got, written };
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
  }
}

/** Run the case. */
export async function run(): Promise<BenchRow[]> {
  const secs = SHORT ? 5 : 10;
  const cfg = benchConfig(
    "many",
    "streaming:\n  max_concurrent_streams: 100\n  persistence:\n    enabled: false\n",
  );
  const rows: BenchRow[] = [];
  // One run first, as the case's own would be a user's first after a build: following one file.
  const warm = `${benchTmp()}/many-warm.log`;
  Deno.writeTextFileSync(warm, "# warm\n");
  await warmUp(
    s9sCmd("--config", cfg.config, "stream", "-q", "--type", "stdout", "--path", warm),
    cfg.env,
  );
  // S9S_BENCH_SHAPES=block4k,… measures only those writer shapes (while working on one).
  const only = Deno.env.get("S9S_BENCH_SHAPES")?.split(",");
  for (const [shape, label] of SHAPES.filter(([s]) => !only || only.includes(s))) {
    const tail = await scenario(
      `tail-${shape}`,
      (files, out) =>
        files.map((f, i) =>
          spawnGroup(["bash", "-c", `exec tail -n +1 -F '${f}' > '${out}/${i}.txt'`])
        ),
      (out) => Array.from({ length: FILES }, (_, i) => `${out}/${i}.txt`),
      secs,
      shape,
    );
    const s9s = await scenario(
      `s9s-${shape}`,
      (files, out) => [
        spawnGroup([
          "bash",
          "-c",
          `exec ${
            s9sCmd(
              "--config",
              cfg.config,
              "stream",
              "-q",
              "--type",
              "stdout",
              ...files.flatMap((f) => ["--path", f]),
            ).map((a) => `'${a}'`).join(" ")
          } > '${out}/s9s.txt'`,
        ], { env: cfg.env }),
      ],
      (out) => [`${out}/s9s.txt`],
      secs,
      shape,
    );
    const name = `50 streams, ${label}`;
    const total = `${FILES} files × ${RATE} lines/s × ${secs} s`;
    rows.push(
      {
        case: name,
        metric: "total CPU (one s9s, history off, vs 50 tail -F)",
        s9s: round(s9s.cpu, 2),
        reference: round(tail.cpu, 2),
        unit: "s",
        note: `ratio ${round(s9s.cpu / tail.cpu, 2)} (target < 1); ${total}; text output to a file`,
      },
      {
        case: name,
        metric: "CPU while lines flow (start-up excluded)",
        s9s: round(s9s.cpuDuring, 2),
        reference: round(tail.cpuDuring, 2),
        unit: "s",
        note: `ratio ${round(s9s.cpuDuring / tail.cpuDuring, 2)}`,
      },
      {
        case: name,
        metric: "peak RSS (s9s vs sum of 50 tail -F)",
        s9s: round(s9s.rss, 1),
        reference: round(tail.rss, 1),
        unit: "MB",
        note: "target ≤ 150 MB",
      },
      {
        case: name,
        metric: "lines lost",
        s9s: s9s.lost,
        reference: tail.lost,
        unit: "lines",
        note: `of ${s9s.written} written (target 0)`,
      },
    );
  }
  return rows;
}
