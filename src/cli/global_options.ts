/**
 * The program's global options, as data (see option_table.ts): the commander builder in main.ts
 * and the fast parser both read this table.
 * @module
 */
import type { OptionSpec } from "./option_table.ts";
import { SSH_TRANSPORTS } from "../config/ssh_transports.ts";

/** The program's own options, accepted before and after any subcommand. */
export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  {
    flags: "-V, --version",
    description: "print the version, commit, Deno and V8 versions and the build kind",
    commanderOnly: true,
  },
  {
    flags: "-c, --config <file>",
    description: "config file (default: $S9S_CONFIG or ~/.s9s/config.yaml)",
  },
  { flags: "--debug", description: "write a debug log to ~/.s9s/debug.log and show stack traces" },
  { flags: "--mock", description: "use the embedded mock cluster (no Slurm needed)" },
  {
    flags: "--cluster-api <api>",
    description: "how to reach Slurm",
    choices: ["auto", "cli", "rest", "mock"],
  },
  {
    flags: "--ssh-transport <transport>",
    description:
      "how to reach nodes over SSH: auto (the system ssh when on PATH), openssh or builtin",
    choices: SSH_TRANSPORTS,
  },
];
