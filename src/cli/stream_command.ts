/**
 * The commander `stream` subcommand, built from {@link STREAM_OPTIONS}.
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { addOptions } from "./commander_options.ts";
import { STREAM_OPTIONS } from "./stream_options.ts";
import type { GlobalFlags } from "./common.ts";
import { runStream, streamOptionsOf } from "./stream.ts";

type AnyCommand = Command<unknown[], Record<string, unknown>>;

/** Build the `stream` subcommand. */
export function streamCommand(globals: () => GlobalFlags): AnyCommand {
  const cmd = new Command("stream")
    .description("follow job output live (like tail -f), with filters; text or JSON Lines");
  return addOptions(cmd as unknown as AnyCommand, STREAM_OPTIONS).action(async function () {
    const code = await runStream(globals(), streamOptionsOf(this.opts()));
    if (code !== 0) Deno.exitCode = code;
  });
}
