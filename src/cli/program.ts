/**
 * The s9s program: builds the command tree, maps errors to exit codes. main.ts starts it (from
 * the bundle of the sources when that is fresh, see src/platform/bundle.ts) and exits with the
 * code {@link runProgram} returns.
 * @module
 */
import type { GlobalFlags } from "./common.ts";
import { enableInterruptWatchdog } from "../platform/interrupt_watchdog.ts";
import { parseFast } from "./option_table.ts";
import { stderrLine } from "../platform/stderr_line.ts";
import { GLOBAL_OPTIONS } from "./global_options.ts";
import { enterLaunchDir } from "../platform/launch_dir.ts";
import { endWithLauncher } from "../platform/launcher_watch.ts";
import { lazyImport } from "../platform/lazy_import.ts";
import { writeAll } from "../platform/write_all.ts";
import { cachedText, rememberText, staticTextKey } from "./cli_text_cache.ts";

type AnyCommand = import("@commander-js/extra-typings").Command<unknown[], Record<string, unknown>>;
type CommanderOptions = typeof import("./commander_options.ts");

/** Global options that take a value (to find the subcommand name without parsing). */
const VALUE_OPTIONS = new Set([
  "-c",
  "--config",
  "--cluster-api",
  "--ssh-transport",
  "--job",
  "--path",
]);

/**
 * The TUI's `--job ID [--path PATTERN]` (start in that job's output), taken out of `args`:
 * they are not program options, since commander would then take `stream`'s `--job` as well.
 */
function takeTuiJob(args: string[]): { job?: string; path?: string } {
  const found: { job?: string; path?: string } = {};
  for (let i = 0; i < args.length; i++) {
    const m = /^--(job|path)(?:=(.*))?$/.exec(args[i]);
    if (!m) continue;
    const value = m[2] ?? args[i + 1];
    args.splice(i, m[2] === undefined ? 2 : 1);
    found[m[1] as "job" | "path"] = value;
    i--;
  }
  return found;
}

/** The subcommands, each loaded only when named (all of them for help or completions). */
const SUBCOMMANDS: Record<string, (globals: () => GlobalFlags) => Promise<AnyCommand>> = {
  stream: async (g) =>
    (await lazyImport<typeof import("./stream_command.ts")>("src/cli/stream_command.ts"))
      .streamCommand(g),
  jobs: async (g) =>
    (await lazyImport<typeof import("./jobs.ts")>("src/cli/jobs.ts")).jobsCommand(
      g,
    ) as AnyCommand,
  config: async (g) =>
    (await lazyImport<typeof import("./config.ts")>("src/cli/config.ts")).configCommand(
      g,
    ) as AnyCommand,
  history: async (g) =>
    (await lazyImport<typeof import("./history.ts")>("src/cli/history.ts")).historyCommand(
      g,
    ) as AnyCommand,
  submit: async (g) =>
    (await lazyImport<typeof import("./submit_command.ts")>("src/cli/submit_command.ts"))
      .submitCommand(g),
  doctor: async (g) =>
    (await lazyImport<typeof import("./doctor.ts")>("src/cli/doctor.ts")).doctorCommand(
      g,
    ) as AnyCommand,
};

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

/** `--version` / `-V` among the global flags (before any subcommand). */
function wantsVersion(args: string[]): boolean {
  for (const a of args) {
    if (a === "--" || !a.startsWith("-")) return false;
    if (a === "--version" || a === "-V") return true;
  }
  return false;
}

function buildProgram({ Command, addOptions }: CommanderOptions) {
  const program = addOptions(
    new Command("s9s")
      .description(
        "Watch SLURM jobs' output live: a terminal UI and a scriptable `stream` command",
      ) as unknown as AnyCommand,
    GLOBAL_OPTIONS,
  )
    // The TUI action would otherwise swallow `s9s help stream` as arguments.
    .helpCommand("help [command]", "show help for a command")
    .addHelpText(
      "after",
      "\nStart in a job: s9s --job ID [--path PATTERN] opens its output (a job of several tasks, or\n" +
        "a --path with %t/%n/%N, opens the Stream Monitor with one pane per task or node).",
    )
    .enablePositionalOptions(false)
    .showSuggestionAfterError(true);
  const globals = (): GlobalFlags => program.opts() as GlobalFlags;
  return { program, globals };
}

/** The global options a subcommand's help lists: those it takes after its name. */
function visibleGlobalOptions(cmd: { parent: AnyCommand | null }) {
  return (cmd.parent?.options ?? []).filter((o) => !o.hidden && o.long !== "--version");
}

/**
 * Commander's errors are thrown, not printed: main turns them into `error:`/`hint:` lines. With
 * `writeOut`, what commander prints (help) goes there instead of stdout.
 */
function quietErrors(cmd: AnyCommand, writeOut?: (text: string) => void): void {
  cmd.exitOverride().configureOutput({ outputError: () => {}, ...(writeOut ? { writeOut } : {}) });
  for (const sub of cmd.commands) quietErrors(sub as AnyCommand, writeOut);
}

/** Write `text` to stdout; a reader that left (`| head -1`) is no error. */
async function printText(text: string): Promise<void> {
  try {
    await writeAll(Deno.stdout, new TextEncoder().encode(text));
  } catch (err) {
    if (!(err instanceof Deno.errors.BrokenPipe)) throw err;
  }
}

async function main(args: string[]): Promise<number> {
  const sub = subcommandOf(args);
  // Answered before anything heavy loads, so scripts probing the version stay fast.
  if (sub === undefined && wantsVersion(args)) {
    const { formatVersion, versionInfo } = await lazyImport<typeof import("../version.ts")>(
      "src/version.ts",
    );
    await Deno.stdout.write(new TextEncoder().encode(formatVersion(await versionInfo())));
    return 0;
  }
  // Started by `npx deno task s9s`: a SIGTERM to npx must not leave s9s running as an orphan.
  // (Not for --version above, nor a stored help text below: they end within milliseconds.)
  let watching = false;
  const watchLauncher = () => {
    if (!watching) endWithLauncher();
    watching = true;
  };
  // The plain `s9s stream …` starts without commander (its first import of an npm package sets
  // up Node compatibility, ~25 ms); anything else, errors and help included, goes to commander.
  if (sub === "stream") {
    watchLauncher();
    const { STREAM_OPTIONS } = await lazyImport<typeof import("./stream_options.ts")>(
      "src/cli/stream_options.ts",
    );
    const fast = parseFast(args, sub, GLOBAL_OPTIONS, STREAM_OPTIONS);
    if (fast) return await runFastStream(fast[0] as GlobalFlags, fast[1]);
  }
  // `s9s submit …`: sbatch's options are not s9s's to parse; commander only shows its help.
  if (sub === "submit") {
    watchLauncher();
    const at = args.indexOf(sub);
    const fast = parseFast(args.slice(0, at + 1), sub, GLOBAL_OPTIONS, []);
    const code = fast ? await runFastSubmit(fast[0] as GlobalFlags, args.slice(at + 1)) : undefined;
    if (code !== undefined) return code;
    args = [...args.slice(0, at + 1), "--help"]; // asked for help: commander shows it
  }
  // Help and completion scripts follow from the command tree alone: printed as stored when this
  // build made the same text before, without loading commander or any subcommand.
  const textKey = staticTextKey(args);
  const stored = textKey && cachedText(textKey);
  if (stored !== undefined) {
    await printText(stored);
    return 0;
  }
  // Otherwise built and printed once the run succeeded, then stored.
  watchLauncher();
  let captured = "";
  const capture = textKey ? (text: string) => void (captured += text) : undefined;
  const done = async (code: number) => {
    if (!textKey || code !== 0) return code;
    await printText(captured);
    rememberText(textKey, captured);
    return code;
  };
  const tuiJob = sub === undefined ? takeTuiJob(args) : {};
  // Commander comes through commander_options.ts: an npm import here would be walked at start-up.
  const [commander, { exitCodeOf, formatError }, { usageErrorOf }] = await Promise
    .all([
      lazyImport<typeof import("./commander_options.ts")>("src/cli/commander_options.ts"),
      lazyImport<typeof import("../errors.ts")>("src/errors.ts"),
      lazyImport<typeof import("./usage_errors.ts")>("src/cli/usage_errors.ts"),
    ]);
  const { program, globals } = buildProgram(commander);
  try {
    // Only the named subcommand's module loads (all of them for help or an unknown name).
    const names = sub && sub in SUBCOMMANDS ? [sub] : Object.keys(SUBCOMMANDS);
    for (const cmd of await Promise.all(names.map((n) => SUBCOMMANDS[n](globals)))) {
      // `s9s stream --help` lists --mock, --config … too: they are accepted after the name.
      program.addCommand(cmd.configureHelp({ showGlobalOptions: true, visibleGlobalOptions }));
    }
    const { completionsCommand } = await lazyImport<typeof import("./completions.ts")>(
      "src/cli/completions.ts",
    );
    program.addCommand(
      completionsCommand(() => program as unknown as AnyCommand, capture) as AnyCommand,
    );
    program.action(async () => {
      const { runTui } = await lazyImport<typeof import("./tui.ts")>("src/cli/tui.ts");
      await runTui(globals(), tuiJob);
    });
    quietErrors(program as unknown as AnyCommand, capture);
    // `s9s strem` and `s9s help strem` alike.
    const named = sub === "help" ? subcommandOf(args.slice(args.indexOf("help") + 1)) : sub;
    if (named !== undefined && !program.commands.some((c) => c.name() === named)) {
      throw usageErrorOf({
        unknownCommand: named,
        commands: program.commands.map((c) => c.name()),
      });
    }
    await program.parseAsync(args, { from: "user" });
    return await done(typeof Deno.exitCode === "number" ? Deno.exitCode : 0);
  } catch (err) {
    if (err instanceof commander.CommanderError) {
      if (["commander.helpDisplayed", "commander.help", "commander.version"].includes(err.code)) {
        return await done(0);
      }
      // Name the deepest command given (`s9s config validate --help`) in the hint.
      const cmd = program.commands.find((c) => c.name() === sub);
      const second = sub ? subcommandOf(args.slice(args.indexOf(sub) + 1)) : undefined;
      const path = cmd?.commands.some((c) => c.name() === second) ? `${sub} ${second}` : sub;
      const options = [...(cmd?.options ?? []), ...program.options].map((o) => o.long)
        .filter((o) => o !== undefined);
      stderrLine(formatError(usageErrorOf({ commanderError: err, sub: path, options }), false));
      return 2;
    }
    stderrLine(formatError(err, args.includes("--debug"), await safeText()));
    return exitCodeOf(err);
  }
}

/** `s9s stream` with the options {@link parseFast} found; errors as main reports them. */
async function runFastStream(flags: GlobalFlags, opts: Record<string, unknown>): Promise<number> {
  const [{ runStream, streamOptionsOf }, { exitCodeOf, formatError }] = await Promise.all([
    lazyImport<typeof import("./stream.ts")>("src/cli/stream.ts"),
    lazyImport<typeof import("../errors.ts")>("src/errors.ts"),
  ]);
  try {
    return await runStream(flags, streamOptionsOf(opts));
  } catch (err) {
    stderrLine(formatError(err, !!flags.debug, await safeText()));
    return exitCodeOf(err);
  }
}

/** `s9s submit` with the arguments after `submit`; errors as main reports them. */
async function runFastSubmit(
  flags: GlobalFlags,
  args: string[],
): Promise<number | undefined> {
  const [{ runSubmit }, { exitCodeOf, formatError }] = await Promise.all([
    lazyImport<typeof import("./submit.ts")>("src/cli/submit.ts"),
    lazyImport<typeof import("../errors.ts")>("src/errors.ts"),
  ]);
  try {
    return await runSubmit(flags, args);
  } catch (err) {
    stderrLine(formatError(err, !!flags.debug || args.includes("--debug"), await safeText()));
    return exitCodeOf(err);
  }
}

/**
 * How error messages are made safe to print: they quote paths and ids from outside (a file may be
 * named "\n"), whose controls are shown, not obeyed, as in status messages.
 */
async function safeText(): Promise<(text: string) => string> {
  return (await lazyImport<typeof import("../sinks/text.ts")>("src/sinks/text.ts")).statusText;
}

/**
 * Run s9s with `args` (the words after the program name); returns the exit code. `programDir`:
 * the directory of main.ts, where `deno task s9s` runs (see {@link enterLaunchDir}).
 */
export async function runProgram(args: string[], programDir?: string): Promise<number> {
  // `deno task s9s --path rel.log` typed anywhere: rel.log is where it was typed.
  if (programDir) enterLaunchDir(programDir);
  // Ctrl+C ends s9s even while a user regex keeps JavaScript busy (armed by compilePattern).
  enableInterruptWatchdog();
  return await main(args);
}
