/**
 * How a stream is read: `--source auto|file|ssh|api`. auto reads a step id (`123.0`) through
 * sattach, a file this host sees directly, and a file only the job's node sees over SSH (the
 * engine's hand-over); file never uses SSH; ssh always reads on the node (BatchHost or --node);
 * api attaches to a running srun step with sattach.
 * @module
 */
import type { StreamingConfig } from "../config/schema.ts";
import type { StreamType } from "../core/stream_event.ts";
import { UsageError } from "../errors.ts";
import type { Source } from "./source.ts";
import type { SshPool } from "./ssh_pool.ts";

/** The values of `--source`. */
export const SOURCE_MODES = ["auto", "file", "ssh", "api"] as const;
/** How a stream is read. */
export type SourceMode = typeof SOURCE_MODES[number];

/** What {@link chooseSource} needs to decide. */
export interface SourceChoice {
  mode: SourceMode;
  /** The stream's job id (a step id `123.0` for the api source). */
  jobId: string;
  type: StreamType;
  /** The resolved file and the node that has it (BatchHost). */
  loc: { path: string; host?: string };
  /** `--node`: the node (or ssh_config Host alias) to read the file on. */
  node?: string;
  follow: boolean;
  tailLines?: number;
  signal: AbortSignal;
  progress: boolean;
  config: StreamingConfig;
  /** The engine's shared SSH pool. */
  sshPool: () => Promise<SshPool>;
  /** auto's hand-over: an SSH source when the node has a file this host cannot see. */
  auto: () => Promise<Source | undefined>;
  debug?: (m: string) => void;
}

/**
 * The source for one stream, or undefined for the local file (the engine's FileSource).
 * Throws a UsageError when the forced mode cannot apply.
 */
export async function chooseSource(c: SourceChoice): Promise<Source | undefined> {
  const isStep = /\.(\d+|batch|extern|interactive)$/.test(c.jobId);
  if (c.mode === "api" || (c.mode === "auto" && isStep)) {
    if (!isStep) {
      throw new UsageError(`--source api follows a job step: "${c.jobId}" is a job`, {
        hint: `give the step started with srun, e.g. --job ${c.jobId}.0`,
      });
    }
    const { SattachSource } = await import("./sattach.ts");
    return new SattachSource(c.jobId, c.type, {
      signal: c.signal,
      maxLineBytes: c.config.max_line_length,
      chunkSize: c.config.slurm_api.chunk_size,
      debug: c.debug,
    });
  }
  if (c.mode === "file") return undefined;
  const host = c.node ?? (c.mode === "ssh" ? c.loc.host : undefined);
  if (c.mode === "ssh" && !host) {
    throw new UsageError(`--source ssh: no node is known for "${c.jobId}"`, {
      hint: "give the node with --node NAME (a host name or a Host alias from ~/.ssh/config)",
    });
  }
  if (!host) return await c.auto();
  const { SshFileSource } = await import("./ssh.ts");
  const ssh = c.config.ssh;
  return new SshFileSource(host, c.loc.path, {
    pool: await c.sshPool(),
    follow: c.follow,
    tailLines: c.tailLines,
    maxLineBytes: c.config.max_line_length,
    chunkSize: ssh.chunk_size,
    signal: c.signal,
    progress: c.progress,
    retryAttempts: ssh.retry_attempts,
    debug: c.debug,
  });
}
