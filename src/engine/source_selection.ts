/**
 * The one place that decides how a stream is read, from its target ({@link StreamTarget}) and,
 * for files, where the job tracker found them: a job step through sattach, a plain file here or
 * on its `--node` over SSH, a job's file here, on its node over SSH (`via: "ssh"`), or — `auto` —
 * over SSH when only the job's node has it. The job tracker only says which file and when it
 * ends; a source only follows one file.
 * @module
 */
import { dirname } from "../platform/posix_path.ts";
import { pathExists } from "../platform/path_exists.ts";
import { sleep } from "../platform/sleep.ts";
import type { StreamingConfig } from "../config/schema.ts";
import type { Location } from "../cluster/path_resolver.ts";
import type { StreamState, StreamType } from "../core/stream_event.ts";
import type { DebugLog } from "../core/debug_log.ts";
import type { Preselect } from "../core/line_batch.ts";
import { UsageError } from "../errors.ts";
import { FileSource } from "../sources/file.ts";
import type { Source } from "../sources/source.ts";
import type { RemoteShell } from "../sources/remote_shell.ts";
import { WatchHub } from "../sources/watch_hub.ts";
import type { SourceRequest } from "./stream.ts";
import { lazyImport } from "../platform/lazy_import.ts";

/** Options for a {@link SourceSelection}. */
export interface SourceSelectionOptions {
  config: StreamingConfig;
  debug: DebugLog;
  /** Report `\r` progress states while a line is being written. */
  progress: boolean;
  /** Whether a path is on storage private to each node (default: {@link isNodeLocal}). */
  nodeLocal?: (path: string) => boolean;
}

/** What one stream asks of {@link SourceSelection.select}. */
export interface SelectRequest extends SourceRequest {
  /** The stream's name in the debug log ("123:stdout"). */
  label: string;
  type: StreamType;
  signal: AbortSignal;
  /** A note for the user while choosing (e.g. the node cannot be reached). */
  status: (state: StreamState, message: string) => void;
  /** Strings whose lines are all the stream's listeners want, if so (asked at each read). */
  preselect?: () => Preselect | undefined;
}

/** Chooses and builds the source for a stream; owns what sources share (watches, SSH). */
export class SourceSelection {
  #cfg: StreamingConfig;
  #debug: (m: string) => void;
  #progress: boolean;
  #nodeLocal: (path: string) => boolean;
  #hub: WatchHub;
  #shell?: Promise<RemoteShell>;
  #shellNow?: RemoteShell;

  constructor(options: SourceSelectionOptions) {
    this.#cfg = options.config;
    this.#debug = (m) => options.debug.log("STREAM", m);
    this.#progress = options.progress;
    this.#nodeLocal = options.nodeLocal ?? isNodeLocal;
    this.#hub = new WatchHub(this.#cfg.file_polling.use_inotify);
  }

  /** The source for one stream. Throws a UsageError when the target cannot be read so. */
  async select(req: SelectRequest): Promise<Source> {
    const t = req.target;
    if (t.kind === "step") return await this.#sattach(`${t.jobId}.${t.step}`, req);
    const loc = req.loc;
    if (!loc) throw new Error(`no file to read for ${req.label}`);
    if (t.kind === "file") return t.node ? this.#ssh(t.node, loc.path, req) : this.#file(loc, req);
    if (t.via === "file") return this.#file(loc, req);
    if (t.via === "ssh") {
      if (!loc.host) {
        throw new UsageError(`--source ssh: no node is known for "${t.jobId}"`, {
          hint: "give the node with --node NAME (a host name or a Host alias from ~/.ssh/config)",
        });
      }
      return await this.#ssh(loc.host, loc.path, req);
    }
    return (await this.#onNodeOnly(loc, req)) ?? this.#file(loc, req);
  }

  /** Release shared watches and SSH connections. */
  close(): void {
    this.#shellNow?.close();
    this.#shell?.then((s) => s.close(), () => {}); // one still being opened
    this.#hub.close();
  }

  /** The node connections, over the transport streaming.ssh.transport chooses (one per run). */
  #pool(): Promise<RemoteShell> {
    return this.#shell ??= (async () => {
      const { chooseTransport, openRemoteShell } = await lazyImport<
        typeof import("../sources/ssh_transport.ts")
      >("src/sources/ssh_transport.ts");
      const choice = await chooseTransport(this.#cfg.ssh.transport);
      this.#debug(`ssh transport: ${choice.why}`);
      return this.#shellNow = await openRemoteShell(this.#cfg.ssh, choice, this.#debug);
    })();
  }

  async #sattach(step: string, req: SelectRequest): Promise<Source> {
    const { SattachSource } = await lazyImport<typeof import("../sources/sattach.ts")>(
      "src/sources/sattach.ts",
    );
    return new SattachSource(step, req.type, {
      signal: req.signal,
      maxLineBytes: this.#cfg.max_line_length,
      chunkSize: this.#cfg.slurm_api.chunk_size,
      debug: this.#debug,
    });
  }

  #file(loc: Location, req: SelectRequest): Source {
    const cfg = this.#cfg;
    return new FileSource(loc.path, {
      pollIntervalMs: cfg.polling_interval,
      chunkSize: cfg.buffer_size,
      catchUpBytes: Math.max(cfg.buffer_size, cfg.default_buffer_size),
      maxLineBytes: cfg.max_line_length,
      batchLines: cfg.file_polling.batch_size,
      follow: req.follow,
      tailLines: req.tail,
      signal: req.signal,
      watchHub: this.#hub,
      progress: this.#progress,
      preselect: req.preselect,
      debug: this.#debug,
    });
  }

  async #ssh(host: string, path: string, req: SelectRequest): Promise<Source> {
    const [pool, { SshFileSource }] = await Promise.all([
      this.#pool(),
      lazyImport<typeof import("../sources/ssh.ts")>("src/sources/ssh.ts"),
    ]);
    return new SshFileSource(host, path, {
      pool,
      follow: req.follow,
      tailLines: req.tail,
      maxLineBytes: this.#cfg.max_line_length,
      chunkSize: this.#cfg.ssh.chunk_size,
      signal: req.signal,
      progress: this.#progress,
      retryAttempts: this.#cfg.ssh.retry_attempts,
      debug: this.#debug,
    });
  }

  /**
   * auto: a file this host cannot see, on the node that runs the job, is followed over SSH —
   * when the node has it, or when it is not there yet and its directory is node-local storage.
   * A missing file whose directory is here on shared storage is first waited for a moment.
   */
  async #onNodeOnly(loc: Location, req: SelectRequest): Promise<Source | undefined> {
    if (!loc.host || !this.#cfg.ssh.enabled || await pathExists(loc.path)) return undefined;
    // A job that has just started may not have made its file yet (slurmd opens it as the step
    // starts): where its directory is here on shared storage, the file shows up here in a moment,
    // and asking the node first would cost an SSH connection (or a false alarm when SSH is shut).
    if (
      !this.#nodeLocal(loc.path) && await pathExists(dirname(loc.path)) &&
      await appearsSoon(loc.path, req.signal)
    ) return undefined;
    const [pool, { shQuote }] = await Promise.all([
      this.#pool(),
      lazyImport<typeof import("../sources/remote_shell.ts")>("src/sources/remote_shell.ts"),
    ]);
    let remote: boolean;
    try {
      const r = await pool.run(loc.host, `test -e ${shQuote(loc.path)}`);
      remote = r.code === 0 || !(await pathExists(dirname(loc.path))) || this.#nodeLocal(loc.path);
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
    this.#debug(`${req.label}: ${loc.path} is on ${loc.host}; following it over SSH`);
    return await this.#ssh(loc.host, loc.path, req);
  }
}

/** How long a missing file whose directory is here is waited for before asking its node, ms. */
export const APPEAR_GRACE_MS = 2000;
/** How often it is looked for meanwhile, ms. */
const APPEAR_LOOK_MS = 100;

/** Whether `path` appears within {@link APPEAR_GRACE_MS} (false at once when `signal` aborts). */
async function appearsSoon(path: string, signal: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + APPEAR_GRACE_MS;
  while (!signal.aborted && Date.now() < deadline) {
    await sleep(APPEAR_LOOK_MS, signal);
    if (await pathExists(path)) return true;
  }
  return false;
}

/** Directories that are usually private to each compute node. */
export function isNodeLocal(path: string): boolean {
  const tmp = Deno.env.get("TMPDIR");
  return /^\/(tmp|var\/tmp|dev\/shm|local|scratch\/local|localscratch|lscratch)(\/|$)/.test(path) ||
    (!!tmp && path.startsWith(tmp.replace(/\/?$/, "/")));
}
