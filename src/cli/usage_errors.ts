/**
 * Command-line mistakes as {@link UsageError}s in the house style: an unknown command or option
 * with a "did you mean" hint, commander's messages with double quotes and no final period.
 * @module
 */
import type { CommanderError } from "@commander-js/extra-typings";
import { didYouMean } from "../core/did_you_mean.ts";
import { UsageError } from "../errors.ts";

/** What went wrong: a subcommand nobody knows, or an error commander threw. */
export type UsageProblem =
  | { unknownCommand: string; commands: string[] }
  | {
    commanderError: CommanderError;
    /** The command path given (`stream`, `config validate`), for the help hint. */
    sub?: string;
    /** The long options that command takes (`--job`, `--no-follow`), for a "did you mean". */
    options?: string[];
  };

/** The usage error to show for a command-line mistake. */
export function usageErrorOf(p: UsageProblem): UsageError {
  if ("unknownCommand" in p) {
    const guess = didYouMean(p.unknownCommand, p.commands);
    return new UsageError(`unknown command "${p.unknownCommand}"`, {
      hint: guess
        ? `did you mean "${guess}"?`
        : `the commands are ${p.commands.join(", ")}; see \`s9s --help\``,
    });
  }
  const { commanderError: err, sub } = p;
  const help = `see \`s9s${sub ? ` ${sub}` : ""} --help\``;
  const [first, ...rest] = err.message.replace(/^error: /, "").split("\n");
  const suggested = /\(Did you mean (?:one of )?(.+?)\?\)/.exec(rest.join(" "))?.[1];
  const hint = suggested
    ? `did you mean "${suggested}"?`
    : (err.code === "commander.unknownOption" && optionGuess(first, p.options ?? [])) || help;
  const choice = /^option '(.+?)' argument '(.*)' is invalid\. Allowed choices are (.+)\.$/
    .exec(first);
  if (choice) {
    const flag = choice[1].split(/[ ,]+/).filter((f) => f.startsWith("-")).at(-1);
    return new UsageError(`${flag} must be one of ${choice[3]}; got "${choice[2]}"`, { hint });
  }
  const argChoice =
    /^command-argument value '(.*)' is invalid for argument '(.+)'\. Allowed choices are (.+)\.$/
      .exec(first);
  if (argChoice) {
    return new UsageError(`${argChoice[2]} must be one of ${argChoice[3]}; got "${argChoice[1]}"`, {
      hint,
    });
  }
  const missing = /^option '(.+?)' argument missing$/.exec(first);
  if (missing) {
    const flag = missing[1].replace(/^-\w, /, "").replace(/ [<[].*$/, "");
    return new UsageError(`${flag} needs a value`, { hint });
  }
  const excess = /^too many arguments(?: for '(.+)')?\. Expected (\d+) arguments? but got (\d+)\.$/
    .exec(first);
  if (excess) {
    const what = excess[1] ? `"s9s ${excess[1]}"` : "s9s";
    return new UsageError(
      `${what} takes ${excess[2] === "0" ? "no" : `at most ${excess[2]}`} arguments; got ${
        excess[3]
      }`,
      {
        hint: excess[1] === "stream"
          ? "give job ids with --job and files with --path, e.g. `s9s stream --job 123`"
          : help,
      },
    );
  }
  const message = first.replace(/'([^']*)'/g, '"$1"').replace(/\.$/, "").replace(/\. /g, "; ");
  return new UsageError(message, { hint });
}

/**
 * A hint for an unknown option commander had no suggestion for: the closest option, where a
 * `--no-x` option also stands for the default it turns off (`--folow` → `--no-follow`).
 */
function optionGuess(message: string, options: string[]): string | undefined {
  const given = /^unknown option '(--[^']+)'/.exec(message)?.[1];
  if (!given) return undefined;
  const defaults = options.filter((o) => o.startsWith("--no-")).map((o) => `--${o.slice(5)}`);
  const guess = didYouMean(given, [...options, ...defaults]);
  if (!guess) return undefined;
  if (options.includes(guess)) return `did you mean "${guess}"?`;
  return `"${guess}" is the default; "--no-${guess.slice(2)}" turns it off`;
}
