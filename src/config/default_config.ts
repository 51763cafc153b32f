/**
 * The parsed default configuration without the schema: when there is no config file, no
 * `S9S_STREAMING__…` variable and no override, the defaults need no validation, so the start-up
 * loads neither the YAML parser nor zod. A unit test keeps this equal to the schema's output.
 * @module
 */
import type { Config } from "./schema.ts";
import { defaultRawConfig, type RawConfig } from "./defaults.ts";
import { parseDuration, parseSize } from "./units.ts";

/** Keys whose values are durations (→ ms) anywhere in the defaults. */
const DURATIONS = new Set([
  "refresh_interval",
  "polling_interval",
  "idle_warning",
  "timeout",
  "poll_interval",
  "cleanup_interval",
]);
/** Keys whose values are sizes (→ bytes) anywhere in the defaults. */
const SIZES = new Set([
  "default_buffer_size",
  "buffer_size",
  "memory_limit",
  "max_line_length",
  "chunk_size",
  "max_size_per_stream",
  "max_total_size",
  "max_file_size",
]);

function convert(node: RawConfig): RawConfig {
  for (const [k, v] of Object.entries(node)) {
    if (typeof v === "string" && DURATIONS.has(k)) node[k] = parseDuration(v);
    else if (typeof v === "string" && SIZES.has(k)) node[k] = parseSize(v);
    else if (v && typeof v === "object" && !Array.isArray(v)) convert(v as RawConfig);
  }
  return node;
}

/** The defaults, parsed as the schema would parse them. */
export function defaultConfig(): Config {
  return convert(defaultRawConfig()) as unknown as Config;
}
