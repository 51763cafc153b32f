/**
 * s9s — watch SLURM job output live. Builds the command tree, maps errors to exit codes; the
 * only place that calls Deno.exit.
 * @module
 */
import { Command, CommanderError, Option } from "@commander-js/extra-typings";
import { exitCodeOf, formatError, UsageError } from "./src/errors.ts";
import type { GlobalFlags } from "./src/cli/common.ts";
import { VERSION } from "./src/version.ts";

function buildProgram() {
  const program = new Command("s9s")
    .description("Watch SLURM jobs' output live: a terminal UI and a scriptable `stream` command")
    .version(VERSION, "-V, --version")
    .option("-c, --config <file>", "config file (default: $S9S_CONFIG or ~/.s9s/config.yaml)")
    .option("--debug", "write a debug log to ~/.s9s/debug.log and show stack traces")
    .option("--mock", "use the embedded mock cluster (no Slurm needed)")
    .addOption(
      new Option("--cluster-api <api>", "how to reach Slurm").choices(["auto", "cli", "rest", "mock"]),
    )
    .enablePositionalOptions(false)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: () => {} });
  const globals = (): GlobalFlags => program.opts() as GlobalFlags;
  return { program, globals };
}

async function main(args: string[]): Promise<number> {
  const { program, globals } = buildProgram();
  // Subcommands are declared here but their modules load only when used.
  const [{ streamCommand }, { jobsCommand }, { configCommand }] = await Promise.all([
    import("./src/cli/stream.ts"),
    import("./src/cli/jobs.ts"),
    import("./src/cli/config.ts"),
  ]);
  program.addCommand(streamCommand(globals).exitOverride().configureOutput({ outputError: () => {} }));
  program.addCommand(jobsCommand(globals).exitOverride().configureOutput({ outputError: () => {} }));
  program.addCommand(configCommand(globals).exitOverride().configureOutput({ outputError: () => {} }));
  for (const c of program.commands) {
    for (const sub of c.commands) sub.exitOverride().configureOutput({ outputError: () => {} });
  }
  try {
    const { historyCommand } = await import("./src/cli/history.ts");
    program.addCommand(historyCommand(globals).exitOverride().configureOutput({ outputError: () => {} }));
    for (const sub of program.commands.at(-1)!.commands) sub.exitOverride().configureOutput({ outputError: () => {} });
  } catch { /* history not built in */ }
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
      console.error(formatError(new UsageError(msg, { hint: "see `s9s --help` or `s9s stream --help`" }), false));
      return 2;
    }
    const debug = args.includes("--debug");
    console.error(formatError(err, debug));
    return exitCodeOf(err);
  }
}

if (import.meta.main) {
  const code = await main(Deno.args);
  Deno.exit(code);
}
