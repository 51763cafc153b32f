/**
 * Which source follows a stream's file: the local file, the file on the job's node over SSH
 * when this host cannot see it, or as `--source`/`--node` ask ({@link chooseSource}: a forced
 * file, SSH on a given node, sattach for a job step). The one place that decides; the job
 * tracker only says which file and when it ends, and a source only follows one file.
 * @module
 */
import { dirname } from "../platform/posix_path.ts";
import type { StreamingConfig } from "../config/schema.ts";
import type { Location } from "../cluster/path_resolver.ts";
import type { StreamState, StreamType } from "../core/stream_event.ts";
import type { DebugLog } from "../core/debug_log.ts";
import { chooseSource, type SourceMode } from "../sources/choose_source.ts";
import { FileSource } from "../sources/file.ts";
import type { Source } from "../sources/source.ts";
import type { SshPool } from "../sources/ssh_pool.ts";
import { WatchHub } from "../sources/watch_hub.ts";

/** Options for a {@link SourceSelection}. */
export interface SourceSelectionOptions {
  config: StreamingConfig;
  debug: DebugLog;
  /** Report `\r` progress states while a line is being written. */
  progress: boolean;
}

/** What one stream asks of {@link SourceSelection.select}. */
export interface SelectRequest {
  /** The stream's name in the debug log ("123:stdout"). */
  label: string;
  /** The stream's job id (a step id `123.0` for the api source). */
  jobId: string;
  type: StreamType;
  /** `--source` (auto: the file here, or over SSH when only the job's node has it). */
  mode: SourceMode;
  /** `--node`: read the file on this node over SSH. */
  node?: string;
  follow: boolean;
  tailLines?: number;
  signal: AbortSignal;
  /** A note for the user while choosing (e.g. the node cannot be reached). */
  status: (state: StreamState, message: string) => void;
}

/** Chooses and builds the source for a stream's file; owns what sources share (watches, SSH). */
export class SourceSelection {
  #cfg: StreamingConfig;
  #debug: DebugLog;
  #progress: boolean;
  #hub: WatchHub;
  #sshPool?: SshPool;

  constructor(options: SourceSelectionOptions) {
    this.#cfg = options.config;
    this.#debug = options.debug;
    this.#progress = options.progress;
    this.#hub = new WatchHub(this.#cfg.file_polling.use_inotify);
  }

  /**
   * The source for `loc` in `req.mode`: auto follows it over SSH when the file is only on the
   * job's node, else the file here. Throws a UsageError when a forced mode cannot apply.
   */
  async select(loc: Location, req: SelectRequest): Promise<Source> {
    const debug = (m: string) => this.#debug.log("STREAM", m);
    const source = await chooseSource({
      mode: req.mode,
      jobId: req.jobId,
      type: req.type,
      loc,
      node: req.node,
      follow: req.follow,
      tailLines: req.tailLines,
      signal: req.signal,
      progress: this.#progress,
      config: this.#cfg,
      sshPool: async () => {
        const { SshPool } = await import("../sources/ssh_pool.ts");
        return this.#sshPool ??= new SshPool(this.#cfg.ssh, debug);
      },
      auto: () => this.#remoteSource(loc, req),
      debug,
    });
    return source ?? this.#fileSource(loc, req);
  }

  /** Release shared watches and SSH connections. */
  close(): void {
    this.#sshPool?.close();
    this.#hub.close();
  }

  #fileSource(loc: Location, req: SelectRequest): Source {
    const cfg = this.#cfg;
    return new FileSource(loc.path, {
      pollIntervalMs: cfg.polling_interval,
      chunkSize: cfg.buffer_size,
      catchUpBytes: Math.max(cfg.buffer_size, cfg.default_buffer_size),
      maxLineBytes: cfg.max_line_length,
      batchLines: cfg.file_polling.batch_size,
      follow: req.follow,
      tailLines: req.tailLines,
      signal: req.signal,
      watchHub: this.#hub,
      progress: this.#progress,
      debug: (m) => this.#debug.log("STREAM", m),
    });
  }

  /**
   * A file this host cannot see, on the node that runs the job, is followed over SSH: when the
   * node has it, or when it is not there yet and its directory is node-local storage.
   */
  async #remoteSource(loc: Location, req: SelectRequest): Promise<Source | undefined> {
    const ssh = this.#cfg.ssh;
    if (!loc.host || !ssh.enabled || await pathExists(loc.path)) return undefined;
    const [{ SshPool, shQuote }, { SshFileSource }] = await Promise.all([
      import("../sources/ssh_pool.ts"),
      import("../sources/ssh.ts"),
    ]);
    this.#sshPool ??= new SshPool(ssh, (m) => this.#debug.log("STREAM", m));
    let remote: boolean;
    try {
      const r = await this.#sshPool.run(loc.host, `test -e ${shQuote(loc.path)}`);
      remote = r.code === 0 || !(await pathExists(dirname(loc.path))) || isNodeLocal(loc.path);
    } catch (err) {
      req.status(
        "waiting",
        `"${loc.path}" is not visible here and ${loc.host} cannot be reached over SSH: ${
          (err as Error).message
        }; waiting for the file to appear here`,
      );
      return undefined;
    }
    if (!remote) return undefined;
    this.#debug.log("STREAM", `${req.label}: ${loc.path} is on ${loc.host}; following it over SSH`);
    return new SshFileSource(loc.host, loc.path, {
      pool: this.#sshPool,
      follow: req.follow,
      tailLines: req.tailLines,
      maxLineBytes: this.#cfg.max_line_length,
      chunkSize: ssh.chunk_size,
      signal: req.signal,
      progress: this.#progress,
      retryAttempts: ssh.retry_attempts,
      debug: (m) => this.#debug.log("STREAM", m),
    });
  }
}

async function pathExists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (err) {
    return err instanceof Deno.errors.PermissionDenied;
  }
}

/** Directories that are usually private to each compute node. */
function isNodeLocal(path: string): boolean {
  const tmp = Deno.env.get("TMPDIR");
  return /^\/(tmp|var\/tmp|dev\/shm|local|scratch\/local|localscratch|lscratch)(\/|$)/.test(path) ||
    (!!tmp && path.startsWith(tmp.replace(/\/?$/, "/")));
}
