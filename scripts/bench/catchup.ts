/**
 * Case 1, catch-up: a ~100 MB log (1M lines, 10% matching ERROR|WARN) read with
 * `s9s stream --no-follow --filter 'ERROR|WARN'` — the `s9s` task's own command line, text and
 * JSON, history off (a config file) and the default configuration (no config file: history on;
 * text also with the history directory at its file limit, as after a week of use) — beside
 * `grep -E` and `tail -n +1 | grep --line-buffered -E`. Every command's output goes through
 * `| wc -l` so the counts are checked and grep cannot shortcut on /dev/null (GNU grep stops at
 * the first match when its stdout is /dev/null).
 * @module
 */
import {
  benchConfig,
  type BenchRow,
  benchTmp,
  defaultEnv,
  generateLog,
  median,
  round,
  s9sCmd,
  sh,
  SHORT,
  timeShell,
  weekOfHistory,
} from "./_common.ts";

const PATTERN = "ERROR|WARN";

/** Run the case. */
export async function run(): Promise<BenchRow[]> {
  const lines = SHORT ? 300_000 : 1_000_000;
  // Eleven: tail | grep | wc (three processes on two cores) swings by half from run to run.
  const runs = SHORT ? 3 : 11;
  const log = `${benchTmp()}/catchup.log`;
  const { matching, bytes } = await generateLog(log, lines);
  const mb = bytes / 1e6;
  const off = benchConfig("catchup-off", "streaming:\n  persistence:\n    enabled: false\n");
  // The default configuration: no config file, history on (a fresh HOME for the case).
  const on = { config: undefined, env: defaultEnv("catchup") };
  // The same after a week of use: the history directory at its max_files (50), so that every
  // run's cleanup removes the oldest file.
  const full = { config: undefined, env: defaultEnv("catchup-full") };
  const small = `${benchTmp()}/catchup-small.log`;
  Deno.writeTextFileSync(small, "one line\n");
  await weekOfHistory(full.env, small);
  const s9s = (cfg: string | undefined, extra: string) =>
    s9sCmd(
      ...(cfg ? ["--config", cfg] : []),
      "stream",
      "-q",
      "--path",
      log,
      "--no-follow",
      "--filter",
      PATTERN,
    ).map(sh).join(" ") + ` ${extra}`;
  const variants: Record<string, { script: string; env?: Record<string, string> }> = {
    "grep": { script: `grep -E ${sh(PATTERN)} ${sh(log)} | wc -l` },
    "tail|grep": {
      script: `tail -n +1 ${sh(log)} | grep --line-buffered -E ${sh(PATTERN)} | wc -l`,
    },
    "text off": { script: `${s9s(off.config, "")} | wc -l`, env: off.env },
    "text off >/dev/null": {
      script: `${s9s(off.config, "")} > /dev/null; echo ${matching}`,
      env: off.env,
    },
    "json off": { script: `${s9s(off.config, "--output-format json")} | wc -l`, env: off.env },
    "text on": { script: `${s9s(on.config, "")} | wc -l`, env: on.env },
    "json on": { script: `${s9s(on.config, "--output-format json")} | wc -l`, env: on.env },
    "text on, full": { script: `${s9s(full.config, "")} | wc -l`, env: full.env },
  };
  // Warm the page cache and Deno's module cache once.
  await timeShell(`cat ${sh(log)} > /dev/null; ${s9s(off.config, "")} > /dev/null`, off.env);
  const times: Record<string, number[]> = {};
  const counts: Record<string, number> = {};
  for (let r = 0; r < runs; r++) {
    // Interleave the variants so background load affects them alike.
    for (const [name, v] of Object.entries(variants)) {
      const res = await timeShell(v.script, v.env);
      if (res.code !== 0) {
        throw new Error(`${name} failed (exit ${res.code}): ${res.stderr.trim().slice(0, 200)}`);
      }
      (times[name] ??= []).push(res.ms);
      counts[name] = Number(res.stdout.trim());
    }
  }
  const med = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
  const ref = med["tail|grep"];
  const rows: BenchRow[] = [];
  const label = `catch-up ${Math.round(mb)} MB`;
  rows.push({
    case: label,
    metric: "wall time: grep -E alone",
    s9s: "",
    reference: round(med["grep"], 0),
    unit: "ms",
    note: `${lines} lines, ${matching} matching; median of ${runs}; locale ${
      Deno.env.get("LC_ALL") || Deno.env.get("LANG") || "unset"
    } (grep runs slower under a UTF-8 one)`,
  });
  for (
    const name of [
      "text off",
      "text off >/dev/null",
      "json off",
      "text on",
      "json on",
      "text on, full",
    ]
  ) {
    const ms = med[name];
    const persist = name.endsWith(", full")
      ? "on (default config), directory at max_files"
      : / on$/.test(name)
      ? "on (default config)"
      : "off";
    const fmt = name.startsWith("json") ? "json" : "text";
    const ok = counts[name] === matching && counts["tail|grep"] === matching;
    rows.push({
      case: label,
      metric: `${fmt}, history ${persist}${
        name.includes("/dev/null") ? ", >/dev/null" : ""
      }: wall vs tail|grep`,
      s9s: round(ms, 0),
      reference: round(ref, 0),
      unit: "ms",
      note:
        `ratio ${round(ms / ref, 2)} (target ≤ ${
          fmt === "json" ? "1.2" : persist === "off" ? "1.0" : "1.25"
        }); ` +
        `${round(lines / (ms / 1000) / 1e6, 2)}M lines/s, ${round(mb / (ms / 1000), 0)} MB/s; ` +
        `count ${ok ? "ok" : `MISMATCH ${counts[name]} vs ${matching}`}`,
    });
  }
  rows.push({
    case: label,
    metric: "lines/s, text, history off",
    s9s: round(lines / (med["text off"] / 1000), 0),
    reference: round(lines / (ref / 1000), 0),
    unit: "lines/s",
    note: "target ≥ 2,000,000 (includes the process start-up)",
  });
  return rows;
}
