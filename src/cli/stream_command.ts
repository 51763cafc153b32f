/**
 * The commander side of the option tables: `addOptions` turns a table into commander options,
 * `streamCommand` builds `s9s stream` from {@link STREAM_OPTIONS}.
 * @module
 */
import { Command, Option } from "@commander-js/extra-typings";
import { type OptionSpec, repeatValue } from "./option_table.ts";
import { STREAM_OPTIONS } from "./stream_options.ts";
import type { GlobalFlags } from "./common.ts";
import { runStream, streamOptionsOf } from "./stream.ts";

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

/** Build the `stream` subcommand. */
export function streamCommand(globals: () => GlobalFlags): AnyCommand {
  const cmd = new Command("stream")
    .description("follow job output live (like tail -f), with filters; text or JSON Lines");
  return addOptions(cmd as unknown as AnyCommand, STREAM_OPTIONS).action(async function () {
    const code = await runStream(globals(), streamOptionsOf(this.opts()));
    if (code !== 0) Deno.exitCode = code;
  });
}
