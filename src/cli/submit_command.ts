/**
 * The commander `submit` subcommand: help and completions from {@link SUBMIT_OPTIONS}. The run
 * itself does not go through commander (sbatch's options are not s9s's to parse): main.ts hands
 * the arguments after `submit` to {@link runSubmit} as they are.
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { addOptions } from "./commander_options.ts";
import { SUBMIT_OPTIONS } from "./submit_options.ts";
import type { GlobalFlags } from "./common.ts";

type AnyCommand = Command<unknown[], Record<string, unknown>>;

/** Build the `submit` subcommand (for help and completions). */
export function submitCommand(globals: () => GlobalFlags): AnyCommand {
  const cmd = new Command("submit")
    .description(
      "submit a batch job (sbatch's options, then a script or --wrap), follow its output to the end, exit with its exit code",
    )
    .usage("[sbatch options…] [s9s options…] (job.sh [args…] | --wrap 'command')")
    .argument("[sbatch-args...]", "sbatch's options, the batch script and its arguments")
    .helpOption("--help", "show this help (-h is sbatch's)")
    .allowUnknownOption()
    .allowExcessArguments()
    .addHelpText(
      "after",
      "\nShort options are sbatch's (-o is sbatch's output file); s9s's options go by their long\n" +
        "names, before the script; `--` ends s9s's options. Ctrl+C leaves the job running.\n" +
        "\nExamples:\n  s9s submit -n 2 --wrap 'srun --label hostname'\n" +
        "  s9s submit --array=1-4 -o 'out-%A_%a.txt' job.sh input.dat\n",
    );
  return addOptions(cmd as unknown as AnyCommand, SUBMIT_OPTIONS).action(async () => {
    const { runSubmit } = await import("./submit.ts");
    const at = Deno.args.indexOf("submit");
    const code = await runSubmit(globals(), Deno.args.slice(at + 1));
    if (code) Deno.exitCode = code;
  });
}
