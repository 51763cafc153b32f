/**
 * Command-line options declared as data: one table per command, read both by the commander
 * builders (help, completions, errors) and by {@link parseFast}, the small parser that lets a
 * plain `s9s stream …` start without loading commander. One source of truth for the flags.
 * @module
 */

/** One option, in commander's terms. */
export interface OptionSpec {
  /** Commander's flags: `-p, --path <pattern>`, `--no-follow`, `-q, --quiet`. */
  flags: string;
  description: string;
  /** The only values allowed. */
  choices?: readonly string[];
  /** The value when the option is not given. */
  default?: string;
  /** Repeatable: "split" also splits each value on commas, "raw" keeps it as given. */
  repeat?: "split" | "raw";
  /** Only commander handles it (help, version): the fast parser gives way. */
  commanderOnly?: boolean;
}

/** A spec's flags taken apart. */
export interface OptionShape {
  short?: string;
  long: string;
  /** The key in the parsed options (`--output-format` → `outputFormat`, `--no-follow` → `follow`). */
  key: string;
  takesValue: boolean;
  /** `--no-x`: sets `x` to false; `x` is true unless given. */
  negate: boolean;
}

/** `output-format` → `outputFormat`, as commander names an option's key. */
const camelCase = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

const FLAGS = /^(?:-([A-Za-z]), )?--([a-z][a-z-]*)(?: <[a-z-]+>)?$/;

/** Take `spec.flags` apart; throws on a shape the fast parser does not know. */
export function shapeOf(spec: OptionSpec): OptionShape {
  const m = FLAGS.exec(spec.flags);
  if (!m) throw new Error(`unsupported option flags "${spec.flags}"`);
  const negate = m[2].startsWith("no-");
  return {
    short: m[1] ? `-${m[1]}` : undefined,
    long: `--${m[2]}`,
    key: camelCase(negate ? m[2].slice(3) : m[2]),
    takesValue: spec.flags.includes("<"),
    negate,
  };
}

/** Add `value` to a repeatable option's values so far (commander's argParser for it). */
export function repeatValue(
  repeat: "split" | "raw",
  value: string,
  prev: string[] = [],
): string[] {
  return repeat === "raw"
    ? [...prev, value]
    : [...prev, ...value.split(",").map((x) => x.trim()).filter(Boolean)];
}

/** What {@link parseFast} found: the options of each table, by key. */
export type ParsedOptions = Record<string, unknown>[];

/**
 * Parse `args` as `[global options] NAME [options of both tables]` the way commander does, or
 * give back undefined for anything but the plain case: help, an unknown or malformed flag, a
 * value that is not among the choices or looks like a flag, a bundle of short flags, `--`, a
 * positional argument. Commander then parses and reports it.
 */
export function parseFast(
  args: string[],
  name: string,
  globals: readonly OptionSpec[],
  options: readonly OptionSpec[],
): ParsedOptions | undefined {
  const tables = [globals, options].map((specs) => specs.map((s) => ({ spec: s, ...shapeOf(s) })));
  const results: ParsedOptions = tables.map((t) => {
    const r: Record<string, unknown> = {};
    for (const o of t) {
      if (o.negate) r[o.key] = true;
      else if (o.spec.default !== undefined) r[o.key] = o.spec.default;
    }
    return r;
  });
  let named = false;
  for (let i = 0; i < args.length; i++) {
    let arg = args[i];
    if (!arg.startsWith("-") || arg === "-" || arg === "--") {
      if (named || arg !== name) return undefined;
      named = true;
      continue;
    }
    let inline: string | undefined;
    const eq = arg.indexOf("=");
    if (arg.startsWith("--") && eq > 0) [arg, inline] = [arg.slice(0, eq), arg.slice(eq + 1)];
    // Before the command name only global options; after it, both.
    const where = named ? [0, 1] : [0];
    let found: { t: number; o: (typeof tables)[0][0] } | undefined;
    for (const t of where) {
      const o = tables[t].find((o) => o.long === arg || o.short === arg);
      if (o) found = { t, o };
    }
    if (!found || found.o.spec.commanderOnly) return undefined;
    const { t, o } = found;
    if (!o.takesValue) {
      if (inline !== undefined) return undefined;
      results[t][o.key] = !o.negate;
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined || (inline === undefined && value.startsWith("-"))) return undefined;
    if (o.spec.choices && !o.spec.choices.includes(value)) return undefined;
    results[t][o.key] = o.spec.repeat
      ? repeatValue(o.spec.repeat, value, results[t][o.key] as string[] | undefined)
      : value;
  }
  return named ? results : undefined;
}
