/**
 * The default configuration, written as a user would write it in YAML. Every key the schema
 * knows appears here, so `s9s config show` prints a complete, editable file.
 * @module
 */

import { BUILTIN_PATTERNS } from "./builtin_patterns.ts";

/** A raw (unparsed) configuration tree. */
export type RawConfig = Record<string, unknown>;

/** The defaults, in the same shape and units as `~/.s9s/config.yaml`. */
export function defaultRawConfig(): RawConfig {
  return {
    streaming: {
      enabled: true,
      max_concurrent_streams: 20,
      default_buffer_size: "120KB",
      refresh_interval: "100ms",
      polling_interval: "100ms",
      buffer_size: "64KB",
      memory_limit: "500MB",
      max_line_length: "1MB",
      progress_updates: false,
      idle_warning: "30s",
      file_paths: {
        base_dir: "",
        stdout_pattern: "slurm-%j.out",
        stderr_pattern: "slurm-%j.err",
        custom_patterns: [],
      },
      ssh: {
        enabled: true,
        transport: "auto",
        timeout: "30s",
        max_connections: 5,
        retry_attempts: 3,
        key_file: "~/.ssh/id_rsa",
        user: "",
        port: 22,
        known_hosts: "~/.ssh/known_hosts",
        host_key_checking: "accept-new",
        connection_pooling: true,
        max_idle_connections: 10,
        chunk_size: "64KB",
      },
      slurm_api: {
        enabled: false,
        url: "",
        socket: "",
        version: "auto",
        endpoint: "/slurm/{version}/job/{job_id}",
        token: "",
        user: "",
        chunk_size: "8KB",
        poll_interval: "1s",
      },
      filters: [
        {
          name: "errors",
          pattern: BUILTIN_PATTERNS.errors,
          action: "highlight",
          color: "red",
          highlight: true,
        },
        {
          name: "warnings",
          pattern: BUILTIN_PATTERNS.warnings,
          action: "highlight",
          color: "yellow",
          highlight: true,
        },
        {
          name: "progress",
          pattern: BUILTIN_PATTERNS.progress,
          action: "highlight",
          color: "green",
          highlight: true,
        },
      ],
      buffer: {
        max_size_per_stream: "10MB",
        max_total_size: "100MB",
        max_lines: 50000,
        cleanup_threshold: 80,
        compression: true,
        cleanup_interval: "5m",
      },
      persistence: {
        enabled: true,
        directory: "~/.s9s/stream_history",
        auto_save: true,
        max_files: 50,
        max_file_size: "100MB",
        auto_cleanup_days: 7,
        cleanup_interval: "1h",
      },
      compression: { enabled: true, algorithm: "gzip", level: 2 },
      file_polling: { use_inotify: true, batch_size: 10000 },
      alerts: [],
    },
    cluster: {
      backend: "auto",
      poll_interval: "2s",
    },
  };
}

/**
 * Keys the guide shows that cannot apply to s9s: refused (not silently kept), each with why and
 * what to use instead.
 */
export const RETIRED_KEYS: Record<string, string> = {
  "streaming.ssh.commands": "s9s runs no configurable tail or grep on nodes: it reads files " +
    "over SFTP (or `tail -c +OFFSET -F` where a node has no SFTP, to resume at the exact byte) " +
    "and filters lines itself (--filter, streaming.filters); remove the key",
  "streaming.ssh.max_sessions_per_connection": "s9s reads all of a node's files through one " +
    "SFTP session on one connection, so sshd's MaxSessions never limits it; remove the key",
};

/** Keys that have two spellings in the guide: alias → canonical, per section path. */
export const KEY_ALIASES: Record<string, Record<string, string>> = {
  "streaming.persistence": { base_dir: "directory" },
  "streaming.buffer": { max_size: "max_size_per_stream" },
};
