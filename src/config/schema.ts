/**
 * The zod schema of the configuration file. Durations become milliseconds, sizes bytes.
 * @module
 */
import { z } from "zod";
import { parseDuration, parseSize } from "./units.ts";
import { compilePattern, PatternError } from "./regex.ts";
import { SSH_TRANSPORTS } from "./ssh_transports.ts";
import { alertProblems } from "./alert_rules.ts";
import { MIN_LINE_BYTES } from "../core/line_splitter.ts";

const duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === undefined) {
    ctx.addIssue({
      code: "custom",
      message: `expected a duration such as "100ms", "30s" or "5m", got ${JSON.stringify(v)}`,
    });
    return z.NEVER;
  }
  return ms;
});

const size = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const bytes = parseSize(v);
  if (bytes === undefined) {
    ctx.addIssue({
      code: "custom",
      message: `expected a size such as "64KB" or "10MB", got ${JSON.stringify(v)}`,
    });
    return z.NEVER;
  }
  return bytes;
});

/** A size of at least `min` bytes; `why` says where the minimum comes from. */
function sizeAtLeast(min: number, why: string) {
  return size.refine((n) => n >= min, {
    error: (i) => `expected at least ${min} bytes (${why}), got ${String(i.input)} bytes`,
  });
}

/** A read size: at least one byte, else taken as set. */
const readSize = sizeAtLeast(1, "a read needs room for a byte");

const posInt = z.number({
  error: (i) => `expected a positive integer, got ${JSON.stringify(i.input)}`,
})
  .int({ error: (i) => `expected a positive integer, got ${JSON.stringify(i.input)}` })
  .positive({ error: (i) => `expected a positive integer, got ${JSON.stringify(i.input)}` });
const nonNegInt = z.number({
  error: (i) => `expected an integer ≥ 0, got ${JSON.stringify(i.input)}`,
})
  .int().nonnegative();
const bool = z.boolean({ error: (i) => `expected true or false, got ${JSON.stringify(i.input)}` });
const str = z.string({ error: (i) => `expected a string, got ${JSON.stringify(i.input)}` });

const pattern = str.refine((p) => {
  try {
    compilePattern(p);
    return true;
  } catch {
    return false;
  }
}, {
  error: (i) => {
    try {
      compilePattern(String(i.input));
    } catch (err) {
      if (err instanceof PatternError) return err.message;
    }
    return "invalid regular expression";
  },
});

/** Colors a filter may use. */
export const COLORS = [
  "red",
  "green",
  "yellow",
  "blue",
  "magenta",
  "cyan",
  "white",
  "gray",
  "grey",
  "black",
] as const;

const filter = z.strictObject({
  name: str,
  pattern,
  action: z.enum(["highlight", "include", "exclude"]).optional().default("highlight"),
  color: z.enum(COLORS).optional().default("red"),
  // Unset: only highlight filters color their lines (filter.ts).
  highlight: bool.optional(),
});

const alert = z.strictObject({
  name: str.optional(),
  pattern,
  action: z.enum(["webhook", "notification", "command", "log"]),
  url: str.optional(),
  type: str.optional(),
  command: str.optional(),
  cooldown: duration.optional(),
}).superRefine((a, ctx) => {
  for (const p of alertProblems(a)) {
    ctx.addIssue({ code: "custom", path: [p.key], message: p.message });
  }
});

/** The schema of the whole configuration file (after defaults are merged in). */
export const configSchema = z.strictObject({
  streaming: z.strictObject({
    enabled: bool,
    max_concurrent_streams: posInt,
    default_buffer_size: readSize,
    refresh_interval: duration.refine((ms) => ms >= 16, {
      error: (i) => `expected at least 16ms (about 60 redraws a second), got ${String(i.input)}ms`,
    }),
    polling_interval: duration,
    buffer_size: readSize,
    memory_limit: size,
    max_line_length: sizeAtLeast(MIN_LINE_BYTES, "the longest UTF-8 character, never cut"),
    progress_updates: bool,
    idle_warning: duration,
    file_paths: z.strictObject({
      base_dir: str,
      stdout_pattern: str,
      stderr_pattern: str,
      custom_patterns: z.array(str),
    }),
    ssh: z.strictObject({
      enabled: bool,
      transport: z.enum(SSH_TRANSPORTS),
      timeout: duration,
      max_connections: posInt,
      retry_attempts: nonNegInt,
      key_file: str,
      user: str,
      port: posInt,
      known_hosts: str,
      host_key_checking: z.enum(["strict", "accept-new", "off"]),
      connection_pooling: bool,
      max_idle_connections: nonNegInt,
      chunk_size: readSize,
    }),
    slurm_api: z.strictObject({
      enabled: bool,
      url: str,
      socket: str,
      version: str,
      endpoint: str.refine((e) => e === "" || e.includes("{job_id}"), {
        error: (i) =>
          `expected a path with {job_id} (and usually {version}), such as ` +
          `"/slurm/{version}/job/{job_id}", got ${JSON.stringify(i.input)}`,
      }),
      token: str,
      user: str,
      chunk_size: readSize,
      poll_interval: duration,
    }),
    filters: z.array(filter),
    buffer: z.strictObject({
      max_size_per_stream: size,
      max_total_size: size,
      max_lines: posInt,
      cleanup_threshold: z.number().min(1).max(100),
      compression: bool,
      cleanup_interval: duration,
    }),
    persistence: z.strictObject({
      enabled: bool,
      directory: str,
      auto_save: bool,
      max_files: posInt,
      max_file_size: size,
      auto_cleanup_days: z.number().nonnegative(),
      cleanup_interval: duration,
    }),
    compression: z.strictObject({
      enabled: bool,
      algorithm: z.enum(["gzip"]),
      level: z.number().int().min(0).max(9),
    }),
    file_polling: z.strictObject({ use_inotify: bool, batch_size: posInt }),
    alerts: z.array(alert),
  }),
  cluster: z.strictObject({
    backend: z.enum(["auto", "cli", "rest", "mock"]),
    poll_interval: duration,
  }),
});

/** The parsed configuration: durations in ms, sizes in bytes. */
export type Config = z.output<typeof configSchema>;
/** The streaming section of the parsed configuration. */
export type StreamingConfig = Config["streaming"];
/** One configured filter. */
export type FilterConfig = StreamingConfig["filters"][number];
/** One configured alert. */
export type AlertConfig = StreamingConfig["alerts"][number];
