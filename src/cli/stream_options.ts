/**
 * The options of `s9s stream`, as data (see option_table.ts): the commander builder and the
 * fast parser both read this table.
 * @module
 */
import type { OptionSpec } from "./option_table.ts";
import { SOURCE_MODES } from "../core/stream_target.ts";

/** The options of `s9s stream`, in the order help shows them. */
export const STREAM_OPTIONS: readonly OptionSpec[] = [
  {
    flags: "-j, --job <id>",
    description: "job id to follow (repeatable; 123, 123_4 for one array task)",
    repeat: "split",
  },
  {
    flags: "-t, --type <type>",
    description: "which output: stdout, stderr or all",
    choices: ["stdout", "stderr", "all"],
    default: "all",
  },
  {
    flags: "-p, --path <pattern>",
    description:
      "a file to follow (repeatable); with --job and given once: where the job writes (Slurm patterns like %j %A_%a allowed)",
    repeat: "raw",
  },
  { flags: "--stderr-path <pattern>", description: "separate stderr file, with a single --path" },
  {
    flags: "--node <name>",
    description:
      "read the --path files on this node over SSH (a host name or a ~/.ssh/config Host alias)",
  },
  {
    flags: "--source <mode>",
    description: "how to read: auto, file, ssh, or api (sattach; a step 123.0)",
    choices: SOURCE_MODES,
    default: "auto",
  },
  {
    flags: "-f, --filter <regex>",
    description: "keep only lines matching (repeatable: any may match)",
    repeat: "raw",
  },
  {
    flags: "-x, --exclude <regex>",
    description: "drop lines matching (repeatable)",
    repeat: "raw",
  },
  {
    flags: "-o, --output-format <format>",
    description: "text or json (one event per line)",
    choices: ["text", "json"],
    default: "text",
  },
  {
    flags: "--tasks",
    description: "one stream per task of task-labelled output (a step via sattach, srun -l)",
  },
  { flags: "--task <n>", description: "follow only task N of a step's labelled output" },
  { flags: "--no-follow", description: "print what exists and exit" },
  { flags: "-n, --tail <n>", description: "start with the last N lines (default: the whole file)" },
  { flags: "--events", description: 'with json: also emit status events (type "status")' },
  {
    flags: "--progress",
    description: "also emit in-place (\\r) progress updates as they happen",
  },
  {
    flags: "--exit-code",
    description:
      "exit with the job's own exit code once it ends (128+signal when killed, 1 for a failure without one)",
  },
  { flags: "--explain", description: "show how each output file was found, then exit" },
  { flags: "--auto-detect", description: "find output files automatically (the default)" },
  { flags: "--save <file>", description: "also save the stream to FILE (.gz compresses)" },
  {
    flags: "--export-metrics <url>",
    description:
      "export metrics: prometheus://HOST:PORT (remote write) or prometheus+scrape://HOST:PORT (serve /metrics)",
  },
  {
    flags: "--forward <url>",
    description:
      "forward lines to syslog://HOST[:PORT] (UDP) or syslog+tcp://HOST[:PORT] (repeatable)",
    repeat: "raw",
  },
  {
    flags: "--template <template>",
    description:
      "text lines shaped by a template of the JSON event's fields, e.g. '{{job_id}} {{content}}'",
  },
  { flags: "--no-color", description: "never use color" },
  { flags: "-q, --quiet", description: "no status messages on stderr" },
];
