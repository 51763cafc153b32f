/**
 * The options of `s9s submit`, as data (see option_table.ts), and the split of its command line
 * into s9s's options and sbatch's: s9s takes only its long names, anywhere before the batch
 * script; every short option belongs to sbatch (`-o` is sbatch's output file), everything from
 * the script on is the script's, and `--` ends s9s's options.
 * @module
 */
import { UsageError } from "../errors.ts";
import { isOptionWord, readSbatchOption } from "../cluster/sbatch_options.ts";
import { type OptionSpec, repeatValue, shapeOf } from "./option_table.ts";
import { GLOBAL_OPTIONS } from "./global_options.ts";

/** s9s's own options of `s9s submit` (long names only), in the order help shows them. */
export const SUBMIT_OPTIONS: readonly OptionSpec[] = [
  {
    flags: "--type <type>",
    description: "which output to follow: stdout, stderr or all",
    choices: ["stdout", "stderr", "all"],
    default: "all",
  },
  {
    flags: "--filter <regex>",
    description: "keep only lines matching (repeatable: any may match)",
    repeat: "raw",
  },
  {
    flags: "--exclude <regex>",
    description: "drop lines matching (repeatable); sbatch's node exclusion is -x",
    repeat: "raw",
  },
  {
    flags: "--output-format <format>",
    description: "text or json (one event per line)",
    choices: ["text", "json"],
    default: "text",
  },
  { flags: "--events", description: "with json: also emit status events" },
  {
    flags: "--template <template>",
    description: "text lines shaped by a template of the JSON event's fields",
  },
  {
    flags: "--cancel-on-interrupt",
    description: "Ctrl+C cancels the job (scancel) instead of leaving it running",
  },
  { flags: "--no-color", description: "never use color" },
  { flags: "--quiet", description: "no status messages on stderr" },
];

/** `s9s submit`'s command line taken apart. */
export interface SubmitArgs {
  /** sbatch's part, in the order given (s9s's options taken out). */
  sbatch: string[];
  /** s9s's options by key (defaults filled in). */
  opts: Record<string, unknown>;
  /** Global options given after `submit` (`--config`, `--debug`, …) by key. */
  globals: Record<string, unknown>;
  /** The batch script, if one is named (not `--wrap`, not stdin). */
  script?: string;
  /** `--wrap` was given. */
  wrap: boolean;
  /** `--help` was asked for (before the script). */
  help: boolean;
  /**
   * sbatch's `-o`/`--output` given "json" or "text" (`-o json`): the job's output file, though the
   * user most likely meant s9s's `--output-format`, as `s9s stream -o json` is.
   */
  outputLikeFormat?: string;
}

const OWN = [
  ...SUBMIT_OPTIONS.map((spec) => ({ spec, table: "opts" as const, ...shapeOf(spec) })),
  // Global options keep working after the subcommand, by their long names.
  ...GLOBAL_OPTIONS.filter((spec) => !spec.commanderOnly)
    .map((spec) => ({ spec, table: "globals" as const, ...shapeOf(spec) })),
];

/** Split `s9s submit`'s arguments (those after `submit`). Throws UsageError for s9s's options. */
export function splitSubmitArgs(args: string[]): SubmitArgs {
  const r: SubmitArgs = { sbatch: [], opts: {}, globals: {}, wrap: false, help: false };
  for (const o of OWN) {
    if (o.table !== "opts") continue;
    if (o.negate) r.opts[o.key] = true;
    else if (o.spec.default !== undefined) r.opts[o.key] = o.spec.default;
  }
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      r.sbatch.push(...args.slice(i + 1));
      noteScript(r, args.slice(i + 1));
      return r;
    }
    if (!isOptionWord(arg)) break; // the script: the rest is its own
    if (arg === "--help") {
      r.help = true;
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const own = OWN.find((o) => o.long === name);
    if (!own) {
      const { options, words } = readSbatchOption(args, i);
      if (options.some((o) => o.name === "--wrap")) r.wrap = true;
      const out = options.find((o) => o.name === "-o" || o.name === "--output");
      if (out?.value === "json" || out?.value === "text") r.outputLikeFormat = out.value;
      r.sbatch.push(...args.slice(i, i + words));
      i += words - 1;
      continue;
    }
    const target = own.table === "opts" ? r.opts : r.globals;
    if (!own.takesValue) {
      if (eq > 0) throw new UsageError(`${own.long} takes no value`);
      target[own.key] = !own.negate;
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined) {
      throw new UsageError(`${own.long} needs a value`, { hint: "see `s9s submit --help`" });
    }
    if (own.spec.choices && !own.spec.choices.includes(value)) {
      throw new UsageError(
        `${own.long} must be one of ${
          own.spec.choices.map((c) => `"${c}"`).join(", ")
        }; got "${value}"`,
      );
    }
    target[own.key] = own.spec.repeat
      ? repeatValue(own.spec.repeat, value, target[own.key] as string[] | undefined)
      : value;
  }
  if (i < args.length) {
    r.script = args[i];
    r.sbatch.push(...args.slice(i));
  }
  return r;
}

/** After `--`: find the script (or --wrap) in what goes to sbatch as it is. */
function noteScript(r: SubmitArgs, rest: string[]): void {
  for (let i = 0; i < rest.length; i++) {
    if (!isOptionWord(rest[i])) {
      r.script = rest[i];
      return;
    }
    const { options, words } = readSbatchOption(rest, i);
    if (options.some((o) => o.name === "--wrap")) r.wrap = true;
    i += words - 1;
  }
}
