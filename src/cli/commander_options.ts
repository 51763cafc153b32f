/**
 * The commander side of the option tables (option_table.ts): a table turned into commander
 * options, for help, completions and error messages.
 * @module
 */
import { type Command, Option } from "@commander-js/extra-typings";
import { type OptionSpec, repeatValue } from "./option_table.ts";

/** Commander itself, for main.ts (which imports it only through this module; see lazy_import.ts). */
export { Command as Command, CommanderError } from "@commander-js/extra-typings";

type AnyCommand = Command<unknown[], Record<string, unknown>>;

/** Add each option of `specs` to `cmd`, in order. */
export function addOptions<C extends AnyCommand>(cmd: C, specs: readonly OptionSpec[]): C {
  for (const spec of specs) {
    const o = new Option(spec.flags, spec.description);
    if (spec.choices) o.choices(spec.choices);
    if (spec.default !== undefined) o.default(spec.default);
    const repeat = spec.repeat;
    if (repeat) o.argParser((v: string, prev?: string[]) => repeatValue(repeat, v, prev));
    cmd.addOption(o as unknown as Option);
  }
  return cmd;
}
