/**
 * Case 7, start-up: whole processes started the way the compiled binary starts them (the `s9s`
 * task's own `deno run` command line, not `deno task`), beside a bare `deno run` hello world in
 * the same run, interleaved so that background load falls on both alike:
 * `s9s stream --path SMALL --no-follow` with the default configuration (fresh HOME, no config
 * file, history on) as installed (the bundle, which scripts/bench.ts builds first), the same as a
 * user's later run (the history directory at its max_files, see weekOfHistory), the same for
 * a 200 KB and a 2 MB file (a job's whole output, as many are: history then compresses it), the
 * same from the sources, the same with history off (a config file), and `s9s --version`.
 * Wall time from spawn to exit, and from spawn to the first line on stdout.
 *
 * Where the default configuration's start-up goes, as whole processes too (no timer inside s9s):
 * two probes run with the task's flags beside the others — one does what main.ts does before the
 * program (the bundle's freshness check, src/platform/bundle.ts), the other also loads the packs
 * `s9s stream` loads — and each phase is the median of the rounds' differences. The same phases
 * in minor page faults, beside what a page's first touch costs on this machine: on a virtual
 * machine that is far more than on bare metal, and memory touched is then much of start-up.
 * @module
 */
import { freshBundle } from "../../src/platform/bundle.ts";
import { bundledPath } from "../../src/platform/lazy_import.ts";
import {
  benchConfig,
  type BenchRow,
  benchTmp,
  defaultEnv,
  generateLog,
  median,
  ROOT,
  round,
  s9sCmd,
  s9sTaskArgv,
  SHORT,
  weekOfHistory,
} from "./_common.ts";

interface Timing {
  first: number;
  exit: number;
}

/** Spawn argv, read stdout to its end; ms to the first byte and to the exit. */
async function timeRun(argv: string[], env: Record<string, string>): Promise<Timing> {
  const t0 = performance.now();
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    env,
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let first = NaN;
  for await (const _chunk of child.stdout) {
    if (Number.isNaN(first)) first = performance.now() - t0;
  }
  const status = await child.status;
  const exit = performance.now() - t0;
  if (!status.success) throw new Error(`${argv.slice(-4).join(" ")} exited with ${status.code}`);
  return { first, exit };
}

/** The phases of the default run, check | load | run: each the step from one variant to the next. */
const PHASES = [
  ["hello", "probe: check"],
  ["probe: check", "probe: load"],
  ["probe: load", "stream default"],
] as const;

/** Run the case. */
export async function run(): Promise<BenchRow[]> {
  const runs = SHORT ? 5 : 25;
  const small = `${benchTmp()}/startup-small.log`;
  Deno.writeTextFileSync(
    small,
    Array.from({ length: 20 }, (_, i) => `line ${i + 1} of a small log\n`).join(""),
  );
  // A job's whole output as many are: a few hundred KB, a few MB (the catch-up case's lines,
  // ~109 bytes each).
  const kb200 = `${benchTmp()}/startup-200k.log`;
  const mb2 = `${benchTmp()}/startup-2m.log`;
  await generateLog(kb200, 1_850);
  await generateLog(mb2, 18_500);
  const hello = `${benchTmp()}/hello.ts`;
  Deno.writeTextFileSync(hello, 'console.log("hello");\n');
  const off = benchConfig("startup-off", "streaming:\n  persistence:\n    enabled: false\n");
  const probes = phaseProbes();
  // One HOME for the help texts: a user's second run (the warm-up run below stores them).
  const helpEnv = defaultEnv("help");
  // A user's later run: one HOME whose history is at its max_files, spread over days.
  const laterEnv = defaultEnv("startup-later");
  await weekOfHistory(laterEnv, small);
  const variants: Record<string, { argv: string[]; env: () => Record<string, string> }> = {
    hello: { argv: ["deno", "run", hello], env: () => defaultEnv("hello") },
    "stream default": {
      argv: s9sCmd("stream", "--path", small, "--no-follow"),
      // A fresh HOME each run: the first run of a user, history directory made on the way.
      env: () => defaultEnv("startup"),
    },
    "stream later run": {
      argv: s9sCmd("stream", "--path", small, "--no-follow"),
      env: () => laterEnv,
    },
    "stream 200 KB": {
      argv: s9sCmd("stream", "--path", kb200, "--no-follow"),
      env: () => defaultEnv("startup-200k"),
    },
    "stream 2 MB": {
      argv: s9sCmd("stream", "--path", mb2, "--no-follow"),
      env: () => defaultEnv("startup-2m"),
    },
    "stream from sources": {
      argv: s9sCmd("stream", "--path", small, "--no-follow"),
      env: () => ({ ...defaultEnv("startup-src"), S9S_NO_BUNDLE: "1" }),
    },
    "stream history off": {
      argv: s9sCmd("--config", off.config, "stream", "--path", small, "--no-follow"),
      env: () => off.env,
    },
    ...(probes
      ? {
        "probe: check": { argv: probeCmd(probes.check), env: () => defaultEnv("probe-check") },
        "probe: load": { argv: probeCmd(probes.load), env: () => defaultEnv("probe-load") },
      }
      : {}),
    version: { argv: s9sCmd("--version"), env: () => defaultEnv("version") },
    help: { argv: s9sCmd("--help"), env: () => helpEnv },
    completions: { argv: s9sCmd("completions", "bash"), env: () => helpEnv },
  };
  // Warm Deno's module cache.
  for (const v of Object.values(variants)) await timeRun(v.argv, v.env());
  const got: Record<string, Timing[]> = {};
  for (let r = 0; r < runs; r++) {
    for (const [name, v] of Object.entries(variants)) {
      (got[name] ??= []).push(await timeRun(v.argv, v.env()));
    }
  }
  const exit = (n: string) => median(got[n].map((t) => t.exit));
  const first = (n: string) => median(got[n].map((t) => t.first));
  // Each round runs every variant once, hello first: the ratio is the median of each round's own
  // (a busy spell of the machine slows both sides of a round alike; medians taken apart drift).
  const ratio = (n: string) => median(got[n].map((t, r) => t.exit / got.hello[r].exit));
  const ref = exit("hello");
  const row = (metric: string, name: string, target: string): BenchRow => ({
    case: "startup",
    metric,
    s9s: round(exit(name), 1),
    reference: round(ref, 1),
    unit: "ms",
    note: `ratio ${round(ratio(name), 2)} (${target}; median of the ${runs} rounds' ratios); ` +
      `first line at ${round(first(name), 1)} ms; median of ${runs}, spawn to exit; ` +
      "reference bare `deno run` hello world",
  });
  // Each phase: the median of the rounds' differences between two neighbouring processes.
  const phase = (a: string, b: string) =>
    round(median(got[b].map((t, r) => t.exit - got[a][r].exit)), 1);
  const phases = probes ? PHASES.map(([a, b]) => phase(a, b)).join(" | ") : "";
  const faults = probes ? await faultPhases(variants, SHORT ? 3 : 7) : undefined;
  return [
    row(
      "stream --path SMALL --no-follow, default config (history on)",
      "stream default",
      "target ≤ 1.5×",
    ),
    {
      case: "startup",
      metric: "same, ms over hello by phase: check | load | run",
      s9s: phases,
      reference: round(ref, 1),
      unit: "ms",
      note: probes
        ? "check: main.ts's freshness check of the bundle (a stat of each source file); load: " +
          "the packs `s9s stream` loads (code cache warm); run: the rest of the run, to the exit; " +
          `medians of the ${runs} rounds' differences between probes run with the task's flags`
        : "not measured: no fresh bundle (s9s ran from the sources)",
    },
    ...(faults
      ? [{
        case: "startup",
        metric: "same, page faults over hello by phase: check | load | run",
        s9s: faults.phases.join(" | "),
        reference: faults.hello,
        unit: "faults",
        note: faultNote(faults, exit("stream default") - ref),
      }]
      : []),
    row(
      "same, a user's later run (history directory at max_files)",
      "stream later run",
      "no target",
    ),
    row("same, a 200 KB file (a job's whole output)", "stream 200 KB", "no target"),
    row("same, a 2 MB file", "stream 2 MB", "no target"),
    row("same, from the sources (S9S_NO_BUNDLE=1)", "stream from sources", "no target"),
    row("same, history off (config file)", "stream history off", "no target"),
    row("--version", "version", "no target"),
    row("--help (stored text)", "help", "no target"),
    row("completions bash (stored text)", "completions", "no target"),
  ];
}

/**
 * The probe scripts: `check` does what main.ts does before the program (the freshness check of
 * the bundle), `load` then imports the packs `s9s stream` loads, and neither runs anything.
 * Undefined without a fresh bundle (then s9s runs from the sources: no such phases).
 */
function phaseProbes(): { check: string; load: string } | undefined {
  const bundle = `file://${ROOT}/src/platform/bundle.ts`;
  const root = `${ROOT}/`;
  if (!freshBundle(root)) return undefined;
  const check = `${benchTmp()}/probe-check.ts`;
  const load = `${benchTmp()}/probe-load.ts`;
  const head = `import { freshBundle, PROGRAM_PACK } from ${JSON.stringify(bundle)};\n` +
    `const dir = freshBundle(${JSON.stringify(root)});\n` +
    `if (!dir) throw new Error("no fresh bundle");\n`;
  Deno.writeTextFileSync(check, head + "void PROGRAM_PACK;\n");
  Deno.writeTextFileSync(
    load,
    head + "await import(`file://${dir}${PROGRAM_PACK}.js`);\n" +
      `await import(\`file://\${dir}${bundledPath("src/cli/stream.ts")}\`);\n`,
  );
  return { check, load };
}

/** What the page-fault row says of its figures. */
function faultNote(f: { runs: number; touchUs: number; over: number }, overMs: number): string {
  const ms = round((f.over * f.touchUs) / 1000, 1);
  return `minor faults, medians of ${f.runs} runs each; a page's first touch costs ` +
    `≈ ${round(f.touchUs, 1)} µs here (a fresh buffer's pages, in-process): at that cost the ` +
    `${f.over} faults over hello are ≈ ${ms} ms of the ${round(overMs, 1)} ms over hello`;
}

/**
 * Minor page faults of hello, the probes and the default run by phase (medians of `runs` runs
 * each, after the timed rounds), and what the first touch of a page costs in a Deno process
 * started with the task's flags, µs.
 */
async function faultPhases(
  variants: Record<string, { argv: string[]; env: () => Record<string, string> }>,
  runs: number,
): Promise<{ phases: number[]; hello: number; over: number; touchUs: number; runs: number }> {
  const med: Record<string, number> = {};
  for (const n of ["hello", ...PHASES.map(([, b]) => b)]) {
    const xs: number[] = [];
    for (let i = 0; i < runs; i++) xs.push(await faultsOf(variants[n].argv, variants[n].env()));
    med[n] = median(xs);
  }
  const touch = `${benchTmp()}/first-touch.ts`;
  Deno.writeTextFileSync(
    touch,
    "const pages = 4096;\nconst b = new Uint8Array(pages * 4096);\n" +
      "const t = performance.now();\nfor (let i = 0; i < b.length; i += 4096) b[i] = 1;\n" +
      "console.log((performance.now() - t) * 1000 / pages);\n",
  );
  const [deno, ...args] = probeCmd(touch);
  const touches: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = await new Deno.Command(deno, {
      args,
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!out.success) throw new Error("the first-touch probe failed");
    touches.push(Number(new TextDecoder().decode(out.stdout)));
  }
  return {
    phases: PHASES.map(([a, b]) => med[b] - med[a]),
    hello: med.hello,
    over: med["stream default"] - med.hello,
    touchUs: median(touches),
    runs,
  };
}

/**
 * Minor page faults of one run of `argv`: the kernel counts those of a shell's waited-for child
 * (cminflt, field 11 of /proc/PID/stat), so no tool beyond `sh` is needed.
 */
async function faultsOf(argv: string[], env: Record<string, string>): Promise<number> {
  // The same `deno` as the timed runs: the variants' env adds to this process's, PATH included.
  const out = await new Deno.Command("sh", {
    args: ["-c", '"$@" >/dev/null 2>&1 || exit 3; cat /proc/$$/stat', "sh", ...argv],
    env,
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).output();
  if (!out.success) throw new Error(`${argv.slice(-4).join(" ")} failed (page fault count)`);
  const stat = new TextDecoder().decode(out.stdout);
  // After "pid (comm) ": state ppid pgrp session tty_nr tpgid flags minflt cminflt …
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[8]);
}

/** The task's command line with `script` in main.ts's place. */
function probeCmd(script: string): string[] {
  return [...s9sTaskArgv().slice(0, -1), script];
}
