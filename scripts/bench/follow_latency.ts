/**
 * Case 2, follow latency: a writer appends timestamped lines at 100/s and 10,000/s; the time
 * from the write to the line reaching the consumer of `s9s stream --output-format json`, beside
 * `tail -F | grep --line-buffered .` in the same setup; and with inotify off (polling only).
 * @module
 */
import {
  benchConfig,
  type BenchRow,
  benchTmp,
  percentile,
  ROOT,
  round,
  s9sCmd,
  SHORT,
  sleep,
  spawnGroup,
  waitFor,
} from "./_common.ts";

interface Measured {
  lat: number[];
  received: number;
  written: number;
}

async function measure(
  consumer: (
    file: string,
    onLine: (line: string, at: number) => void,
  ) => ReturnType<typeof spawnGroup>,
  parse: (line: string) => string | undefined,
  rate: number,
  secs: number,
  tag: string,
): Promise<Measured> {
  const file = `${benchTmp()}/follow-${tag}-${rate}.log`;
  Deno.writeTextFileSync(file, "# ready\n");
  const lat: number[] = [];
  let ready = false;
  const proc = consumer(file, (line, at) => {
    const content = parse(line);
    if (content === undefined) return;
    if (content.startsWith("# ready")) {
      ready = true;
      return;
    }
    const t = Number(content.split(" ", 3)[2]);
    if (Number.isFinite(t)) lat.push(at - t);
  });
  try {
    if (!(await waitFor(() => ready, 15_000))) {
      throw new Error(`${tag}: consumer never showed the first line`);
    }
    const writer = await new Deno.Command("deno", {
      args: [
        "run",
        "--allow-all",
        `${ROOT}/scripts/bench/_writer.ts`,
        String(rate),
        String(secs),
        file,
      ],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    const written = (JSON.parse(new TextDecoder().decode(writer.stdout)) as number[])[0];
    await waitFor(() => lat.length >= written, 3_000);
    await sleep(50);
    return { lat, received: lat.length, written };
  } finally {
    await proc.stop();
  }
}

/** Run the case. */
export async function run(): Promise<BenchRow[]> {
  const secs = SHORT ? 2 : 5;
  const inotify = benchConfig("follow", "streaming:\n  persistence:\n    enabled: false\n");
  const polling = benchConfig(
    "follow-poll",
    "streaming:\n  polling_interval: 100ms\n  file_polling:\n    use_inotify: false\n  persistence:\n    enabled: false\n",
  );
  const s9s =
    (cfg: { config: string; env: Record<string, string> }) =>
    (file: string, onLine: (l: string, at: number) => void) =>
      spawnGroup(
        s9sCmd("--config", cfg.config, "stream", "-q", "--path", file, "--output-format", "json"),
        {
          env: cfg.env,
          onLine,
        },
      );
  const tail = (file: string, onLine: (l: string, at: number) => void) =>
    spawnGroup(["bash", "-c", `tail -n +1 -F '${file}' | grep --line-buffered .`], { onLine });
  const fromJson = (line: string) => {
    try {
      return (JSON.parse(line) as { content?: string }).content;
    } catch {
      return undefined;
    }
  };
  const raw = (line: string) => line;
  const rows: BenchRow[] = [];
  for (const rate of [100, 10_000]) {
    const ref = await measure(tail, raw, rate, secs, "tail");
    const got = await measure(s9s(inotify), fromJson, rate, secs, "s9s");
    const refP99 = percentile(ref.lat, 99);
    const target = Math.min(25, 1.5 * refP99 + 5);
    const lost = `lines ${got.received}/${got.written} (tail ${ref.received}/${ref.written})`;
    for (const [p, name] of [[50, "p50"], [99, "p99"], [100, "max"]] as const) {
      rows.push({
        case: `follow ${rate}/s`,
        metric: `latency ${name}, inotify`,
        s9s: round(percentile(got.lat, p), 1),
        reference: round(percentile(ref.lat, p), 1),
        unit: "ms",
        note: name === "p99"
          ? `target ≤ ${round(target, 1)} ms; ${lost}`
          : name === "p50"
          ? `${secs} s run; reference tail -F | grep --line-buffered .`
          : undefined,
      });
    }
  }
  for (const rate of [100, 10_000]) {
    const got = await measure(s9s(polling), fromJson, rate, secs, "poll");
    rows.push({
      case: `follow ${rate}/s`,
      metric: "latency p50 / p99 / max, polling only (100 ms)",
      s9s: `${round(percentile(got.lat, 50), 1)} / ${round(percentile(got.lat, 99), 1)} / ${
        round(percentile(got.lat, 100), 1)
      }`,
      reference: "≤ 125 (target p99)",
      unit: "ms",
      note: `use_inotify: false; lines ${got.received}/${got.written}`,
    });
  }
  return rows;
}
