/**
 * `s9s config validate` and `s9s config show`.
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { loadConfig } from "../config/load.ts";
import { configWarnings } from "../config/warnings.ts";
import { describeOrigin, type Origins } from "../config/origins.ts";
import type { RawConfig } from "../config/defaults.ts";
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
      for (const w of configWarnings(loaded.config)) await stderrOut.write(`warning: ${w}\n`);
      await stdoutOut.write(
        `ok: ${loaded.file ?? "no config file; using the defaults"} is valid\n`,
      );
    });
  cmd.command("show")
    .description(
      "print the effective configuration (defaults < file < environment < flags) as YAML, " +
        "each key with where its value came from",
    )
    .action(async () => {
      const flags = globals();
      // --cluster-api is the one global flag that sets a key.
      const overrides = flags.clusterApi ? { cluster: { backend: flags.clusterApi } } : undefined;
      const loaded = await loadConfig({
        file: flags.config,
        overrides,
        origins: true,
        flagNames: { "cluster.backend": "--cluster-api" },
      });
      const head = `# effective configuration${
        loaded.file ? ` (from ${loaded.file})` : " (defaults)"
      }; each value's comment says where it came from\n`;
      await stdoutOut.write(head + await annotatedYaml(loaded.raw, loaded.origins ?? new Map()));
    });
  return cmd;
}

/** `raw` as YAML, each leaf key followed by a comment naming its origin. */
async function annotatedYaml(raw: RawConfig, origins: Origins): Promise<string> {
  const { Document, isMap, isScalar } = await import("yaml");
  const doc = new Document(raw);
  const walk = (node: unknown, path: string[]) => {
    if (!isMap(node)) return;
    for (const pair of node.items) {
      const key = String((pair.key as { value?: unknown })?.value ?? pair.key);
      const p = [...path, key];
      const o = origins.get(p.join("."));
      if (isMap(pair.value) && pair.value.items.length > 0 && !o) {
        walk(pair.value, p);
        continue;
      }
      const note = ` ${describeOrigin(o)}`;
      if (isScalar(pair.value)) {
        (pair.value as { comment?: string }).comment = note;
      } else (pair.key as { commentBefore?: string }).commentBefore = note;
    }
  };
  walk(doc.contents, []);
  return doc.toString({ lineWidth: 0 });
}
