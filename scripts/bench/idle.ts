/**
 * Case 4, idle: 20 streams of files that get no writes for 60 s (10 s with S9S_BENCH_SHORT=1):
 * CPU used by one s9s following all of them, beside 20 `tail -F` processes.
 * @module
 */
import {
  benchConfig,
  type BenchRow,
  benchTmp,
  procCpuSeconds,
  round,
  s9sCmd,
  SHORT,
  sleep,
  type Spawned,
  spawnGroup,
} from "./_common.ts";

const FILES = 20;

async function idleCpu(procs: Spawned[], secs: number): Promise<number> {
  try {
    await sleep(3000); // start-up and the first read are not idle time
    const cpu0 = procs.reduce((a, p) => a + procCpuSeconds(p.pid), 0);
    const t0 = performance.now();
    await sleep(secs * 1000);
    const cpu1 = procs.reduce((a, p) => a + procCpuSeconds(p.pid), 0);
    return (100 * (cpu1 - cpu0)) / ((performance.now() - t0) / 1000);
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
  }
}

/** Run the case. */
export async function run(): Promise<BenchRow[]> {
  const secs = SHORT ? 10 : 60;
  const dir = `${benchTmp()}/idle`;
  Deno.mkdirSync(dir, { recursive: true });
  const files = Array.from({ length: FILES }, (_, i) => `${dir}/job-${i}.out`);
  for (const f of files) Deno.writeTextFileSync(f, "started\n");
  // The default configuration (an empty file: the user's own config stays out).
  const cfg = benchConfig("idle", "");
  const [s9s, tail] = await Promise.all([
    idleCpu([
      spawnGroup(
        s9sCmd(
          "--config",
          cfg.config,
          "stream",
          "-q",
          ...files.flatMap((f) => ["--path", f]),
        ),
        {
          env: cfg.env,
        },
      ),
    ], secs),
    idleCpu(files.map((f) => spawnGroup(["tail", "-F", f])), secs),
  ]);
  return [{
    case: "idle 20 streams",
    metric: "CPU, % of one core",
    s9s: round(s9s, 2),
    reference: round(tail, 2),
    unit: "%",
    note:
      `${secs} s without writes; default config (inotify + 100 ms poll); target < 1%; CPU time has 10 ms resolution`,
  }];
}
