/**
 * `deno task bench [-- CASE…]`: run the benchmark cases in scripts/bench/ (every file not
 * starting with "_"), print a table with each s9s figure beside its reference, and write the
 * rows with the machine, date and commit to bench/results/. S9S_BENCH_SHORT=1 for a quick run.
 * @module
 */
import { type BenchRow, cleanupTmp, ROOT, SHORT } from "./bench/_common.ts";

/** Cases in the order of the issue; other files in scripts/bench/ run after them. */
const ORDER = [
  "catchup",
  "follow_latency",
  "many_streams",
  "idle",
  "ssh",
  "tui_firehose",
  "startup",
];
/**
 * Cases that run only when named (`deno task bench soak`): the soak takes an hour, the follower
 * model's soak (`model_soak`, 500 seeds per mode) a few minutes.
 */
const OPT_IN = ["soak", "model_soak"];

interface CaseModule {
  run(): Promise<BenchRow[]>;
}

function caseFiles(): string[] {
  const names: string[] = [];
  for (const e of Deno.readDirSync(`${ROOT}/scripts/bench`)) {
    if (
      e.isFile && e.name.endsWith(".ts") && !e.name.startsWith("_") && !e.name.endsWith("_test.ts")
    ) {
      names.push(e.name.slice(0, -3));
    }
  }
  const rank = (n: string) => (ORDER.includes(n) ? ORDER.indexOf(n) : ORDER.length);
  return names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function cmdOut(cmd: string, args: string[]): string {
  try {
    const o = new Deno.Command(cmd, { args, stdout: "piped", stderr: "null" }).outputSync();
    return new TextDecoder().decode(o.stdout).trim();
  } catch {
    return "";
  }
}

/** nproc, CPU model, memory, kernel. */
function machine(): Record<string, string | number> {
  const cpuinfo = (() => {
    try {
      return Deno.readTextFileSync("/proc/cpuinfo");
    } catch {
      return "";
    }
  })();
  const meminfo = (() => {
    try {
      return Deno.readTextFileSync("/proc/meminfo");
    } catch {
      return "";
    }
  })();
  const memKb = Number(meminfo.match(/MemTotal:\s+(\d+)/)?.[1] ?? 0);
  return {
    nproc: Number(cmdOut("nproc", [])) || navigator.hardwareConcurrency,
    cpu: cpuinfo.match(/model name\s*:\s*(.*)/)?.[1]?.trim() ?? "unknown",
    mem_gb: Math.round((memKb / 1024 / 1024) * 10) / 10,
    kernel: cmdOut("uname", ["-r"]),
    deno: Deno.version.deno,
    load_avg_at_start: cmdOut("cat", ["/proc/loadavg"]).split(" ").slice(0, 3).join(" "),
  };
}

function fmt(v: number | string | undefined): string {
  if (v === undefined) return "";
  if (typeof v === "string") return v;
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e6) return v.toExponential(2);
  if (a >= 100) return String(Math.round(v));
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(a >= 1 ? 2 : 3);
}

/** The table as aligned plain text (also pasted into README). */
export function table(rows: BenchRow[]): string {
  const head = ["case", "metric", "s9s", "reference", "unit", "note"];
  const cells = rows.map((
    r,
  ) => [r.case, r.metric, fmt(r.s9s), fmt(r.reference), r.unit, r.note ?? ""]);
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) =>
    c.map((x, i) => (i === 2 || i === 3 ? x.padStart(w[i]) : x.padEnd(w[i]))).join(" | ").trimEnd();
  return [line(head), w.map((n) => "-".repeat(n)).join("-|-"), ...cells.map(line)].join("\n");
}

async function main(): Promise<void> {
  const wanted = Deno.args.filter((a) => a !== "--");
  const all = caseFiles();
  const unknown = wanted.filter((w) => !all.includes(w));
  if (unknown.length) {
    console.error(`error: unknown bench case ${unknown.map((u) => `"${u}"`).join(", ")}`);
    console.error(`hint: cases are ${all.join(", ")}`);
    Deno.exit(2);
  }
  const selected = wanted.length
    ? all.filter((c) => wanted.includes(c))
    : all.filter((c) => !OPT_IN.includes(c));
  const started = new Date();
  const info = machine();
  console.error(
    `s9s bench${SHORT ? " (short)" : ""}: ${selected.join(", ")} on ${info.nproc}× ${info.cpu}`,
  );
  // s9s as installed (`deno task install` builds the bundle too; see scripts/bundle.ts).
  const bundle = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "scripts/bundle.ts", "--quiet"],
    cwd: new URL("..", import.meta.url).pathname,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).output();
  console.error(bundle.success ? "bundle: built" : "bundle: failed; s9s runs from the sources");
  const rows: BenchRow[] = [];
  const timings: Record<string, number> = {};
  for (const name of selected) {
    const t0 = performance.now();
    console.error(`— ${name} …`);
    try {
      const mod = (await import(`./bench/${name}.ts`)) as CaseModule;
      const got = await mod.run();
      rows.push(...got);
      console.error(table(got).split("\n").slice(2).join("\n"));
    } catch (err) {
      const msg = (err as Error)?.message ?? String(err);
      rows.push({
        case: name,
        metric: "error",
        s9s: "failed",
        unit: "",
        note: msg.split("\n")[0].slice(0, 160),
      });
      console.error(`  ${name} failed: ${(err as Error)?.stack ?? err}`);
    }
    timings[name] = Math.round((performance.now() - t0) / 100) / 10;
  }
  cleanupTmp();
  info.load_avg_at_end = cmdOut("cat", ["/proc/loadavg"]).split(" ").slice(0, 3).join(" ");
  const commit = cmdOut("git", ["-C", ROOT, "rev-parse", "--short", "HEAD"]);
  const dirty = cmdOut("git", ["-C", ROOT, "status", "--porcelain", "--untracked-files=no"]) !== "";
  const result = {
    date: started.toISOString(),
    commit: commit + (dirty ? "+dirty" : ""),
    short: SHORT,
    machine: info,
    seconds_per_case: timings,
    total_seconds: Math.round((Date.now() - started.getTime()) / 1000),
    rows,
  };
  const dir = `${ROOT}/bench/results`;
  Deno.mkdirSync(dir, { recursive: true });
  const stamp = started.toISOString().replace(/[:]/g, "").replace(/\..*/, "");
  const file = `${dir}/${stamp}${SHORT ? "-short" : ""}.json`;
  const json = JSON.stringify(result, null, 2) + "\n";
  Deno.writeTextFileSync(file, json);
  Deno.writeTextFileSync(`${dir}/latest.json`, json);
  console.log(
    `\ns9s bench — ${result.date} — commit ${result.commit} — ${info.nproc}× ${info.cpu}, ${info.mem_gb} GB, ` +
      `load avg ${info.load_avg_at_start} → ${info.load_avg_at_end}${
        SHORT ? " — SHORT run" : ""
      }\n`,
  );
  console.log(table(rows));
  console.log(`\n(${result.total_seconds} s; written to ${file.slice(ROOT.length + 1)})`);
}

if (import.meta.main) await main();
