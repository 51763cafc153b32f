/**
 * s9s — watch SLURM job output live. Builds the command tree, maps errors to exit codes; the
 * only place that calls Deno.exit.
 * @module
 */
import type { GlobalFlags } from "./src/cli/common.ts";
import { VERSION } from "./src/version.ts";
import { enableInterruptWatchdog } from "./src/platform/interrupt_watchdog.ts";

// Loaded in main(), after the `--version` fast path: commander alone costs ~90 ms to load.
let Command: typeof import("@commander-js/extra-typings").Command;
let Option: typeof import("@commander-js/extra-typings").Option;

/** Global options that take a value (to find the subcommand name without parsing). */
const VALUE_OPTIONS = new Set(["-c", "--config", "--cluster-api"]);

/** The subcommand named in `args`, if any (the first word that is not an option or its value). */
function subcommandOf(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") return undefined;
    if (VALUE_OPTIONS.has(a)) {
      i++;
      continue;
    }
    if (!a.startsWith("-")) return a;
  }
  return undefined;
}

function buildProgram() {
  const program = new Command("s9s")
    .description("Watch SLURM jobs' output live: a terminal UI and a scriptable `stream` command")
    .version(VERSION, "-V, --version")
    .option("-c, --config <file>", "config file (default: $S9S_CONFIG or ~/.s9s/config.yaml)")
    .option("--debug", "write a debug log to ~/.s9s/debug.log and show stack traces")
    .option("--mock", "use the embedded mock cluster (no Slurm needed)")
    .addOption(
      new Option("--cluster-api <api>", "how to reach Slurm").choices([
        "auto",
        "cli",
        "rest",
        "mock",
      ]),
    )
    .enablePositionalOptions(false)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: () => {} });
  const globals = (): GlobalFlags => program.opts() as GlobalFlags;
  return { program, globals };
}

async function main(args: string[]): Promise<number> {
  // Answered before anything heavy loads, so scripts probing the version stay fast.
  if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
    await Deno.stdout.write(new TextEncoder().encode(`${VERSION}\n`));
    return 0;
  }
  const [commander, { exitCodeOf, formatError, UsageError }] = await Promise.all([
    import("@commander-js/extra-typings"),
    import("./src/errors.ts"),
  ]);
  ({ Command, Option } = commander);
  const { CommanderError } = commander;
  const { program, globals } = buildProgram();
  // Only the named subcommand's module loads (all of them for help or an unknown name).
  const sub = subcommandOf(args);
  const only = sub === "stream" || sub === "jobs" || sub === "config" ? sub : undefined;
  const [stream, jobs, config] = await Promise.all([
    !only || only === "stream" ? import("./src/cli/stream.ts") : undefined,
    !only || only === "jobs" ? import("./src/cli/jobs.ts") : undefined,
    !only || only === "config" ? import("./src/cli/config.ts") : undefined,
  ]);
  const quiet = { outputError: () => {} };
  if (stream) {
    program.addCommand(stream.streamCommand(globals).exitOverride().configureOutput(quiet));
  }
  if (jobs) program.addCommand(jobs.jobsCommand(globals).exitOverride().configureOutput(quiet));
  if (config) {
    program.addCommand(config.configCommand(globals).exitOverride().configureOutput(quiet));
  }
  for (const c of program.commands) {
    for (const sub of c.commands) sub.exitOverride().configureOutput({ outputError: () => {} });
  }
  if (!only) {
    try {
      const { historyCommand } = await import("./src/cli/history.ts");
      program.addCommand(
        historyCommand(globals).exitOverride().configureOutput({ outputError: () => {} }),
      );
      for (const sub of program.commands.at(-1)!.commands) {
        sub.exitOverride().configureOutput({ outputError: () => {} });
      }
    } catch { /* history not built in */ }
  }
  program.action(async () => {
    const { runTui } = await import("./src/cli/tui.ts");
    await runTui(globals());
  });
  try {
    await program.parseAsync(args, { from: "user" });
    return typeof Deno.exitCode === "number" ? Deno.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === "commander.helpDisplayed" || err.code === "commander.version" ||
        err.code === "commander.help"
      ) return 0;
      const msg = err.message.replace(/^error: /, "");
      console.error(
        formatError(
          new UsageError(msg, { hint: "see `s9s --help` or `s9s stream --help`" }),
          false,
        ),
      );
      return 2;
    }
    const debug = args.includes("--debug");
    console.error(formatError(err, debug));
    return exitCodeOf(err);
  }
}

if (import.meta.main) {
  // Ctrl+C ends s9s even while a user regex keeps JavaScript busy (armed by compilePattern).
  enableInterruptWatchdog();
  const code = await main(Deno.args);
  Deno.exit(code);
}
