/**
 * `s9s config validate` and `s9s config show`.
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { stringify } from "yaml";
import { loadConfig } from "../config/load.ts";
import { configWarnings } from "../config/warnings.ts";
import { stderrOut, stdoutOut } from "./output.ts";
import type { GlobalFlags } from "./common.ts";

/** Build the `config` subcommand. */
export function configCommand(globals: () => GlobalFlags) {
  const cmd = new Command("config").description("check or print the configuration");
  cmd.command("validate")
    .description("check the configuration file; lists every problem with its line")
    .argument("[file]", "file to check (default: --config, $S9S_CONFIG or ~/.s9s/config.yaml)")
    .action(async (file) => {
      const loaded = await loadConfig({
        file: file ?? globals().config,
        fileFrom: file ? "`s9s config validate`" : "--config",
      });
      const text = loaded.file ? await Deno.readTextFile(loaded.file).catch(() => "") : "";
      for (const w of configWarnings(text)) await stderrOut.write(`warning: ${w}\n`);
      await stdoutOut.write(
        `ok: ${loaded.file ?? "no config file; using the defaults"} is valid\n`,
      );
    });
  cmd.command("show")
    .description("print the effective configuration (defaults < file < environment) as YAML")
    .action(async () => {
      const loaded = await loadConfig({ file: globals().config });
      const head = `# effective configuration${
        loaded.file ? ` (from ${loaded.file})` : " (defaults)"
      }\n`;
      await stdoutOut.write(head + stringify(loaded.raw, { lineWidth: 0 }));
    });
  return cmd;
}
