/**
 * What an SSH source needs from a transport, whichever it is: the built-in ssh2 pool
 * (ssh_pool.ts: SFTP, exec channels) or the system's OpenSSH (openssh_pool.ts: commands over one
 * master connection per node). Kept apart from both so that neither loads the other.
 * @module
 */
import { UserFacingError } from "../errors.ts";
import type { Sftp } from "./sftp.ts";

/**
 * The part of an exec channel s9s uses (an ssh2 channel, or an ssh process over a master). A
 * "data" chunk is the listener's only during the call: a transport may read the next bytes into
 * the same memory, so whatever is kept must be copied (decoded, or pushed to a line splitter).
 */
export interface Channel {
  on(event: "data", cb: (chunk: Uint8Array) => void): Channel;
  on(event: "close", cb: (code: number | null, signal?: string) => void): Channel;
  on(event: "error", cb: (err: Error) => void): Channel;
  stderr: { on(event: "data", cb: (chunk: Uint8Array) => void): unknown };
  pause(): void;
  resume(): void;
  close(): void;
  signal?(name: string): void;
}

/** Counts for metrics, tests and the bench. */
export interface PoolStats {
  connectionsOpened: number;
  channelsOpened: number;
}

/** One connection per node, shared by every stream from it. */
export interface RemoteShell {
  /** Which transport this is. */
  readonly transport: "openssh" | "builtin";
  readonly stats: PoolStats;
  /** How long one connection attempt may take (streaming.ssh.timeout), in ms. */
  readonly timeoutMs: number;
  /** The node's SFTP session; throws {@link NoSftpError} when files are read with commands. */
  sftp(host: string): Promise<Sftp>;
  /**
   * Run `command` on `host`; resolves with the open channel. `onQueued` hears why it waits when
   * sshd refuses another session for now (MaxSessions) and it waits for one of ours to end.
   */
  exec(host: string, command: string, onQueued?: (why: string) => void): Promise<Channel>;
  /** Run a command to completion and return its output (small outputs only). */
  run(host: string, command: string): Promise<RunResult>;
  /** Whether `host` has a live connection now. */
  connected(host: string): boolean;
  /** Close every connection. */
  close(): void;
}

/** What a command run to its end gave: exit code (null: killed or lost), stdout, stderr. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Read a channel to its close (small outputs only). */
export function runToEnd(ch: Channel): Promise<RunResult> {
  const out = new TextDecoder();
  const err = new TextDecoder();
  let stdout = "";
  let stderr = "";
  return new Promise((resolve, reject) => {
    ch.on("data", (d) => (stdout += out.decode(d, { stream: true })));
    ch.stderr.on("data", (d) => (stderr += err.decode(d, { stream: true })));
    ch.on("error", reject);
    ch.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Quote a string for a POSIX shell. */
export function shQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/**
 * Files on this node are read with `tail` over exec channels, not SFTP: its sshd has no
 * `Subsystem sftp`, or the transport (openssh) runs commands only.
 */
export class NoSftpError extends Error {
  /** How the files are read instead, for the status event. */
  readonly how: string;
  constructor(readonly host: string, opts: { reason?: string; how?: string } = {}) {
    super(opts.reason ?? `${host} offers no SFTP subsystem`);
    this.name = "NoSftpError";
    this.how = opts.how ?? "tail -F over an exec channel instead (one channel per file)";
  }
}

/**
 * Refuse a new connection when `live` of them are open already and that is
 * streaming.ssh.max_connections (`max`): the same word from either transport.
 */
export function checkConnectionLimit(live: number, max: number): void {
  if (live < max) return;
  throw new UserFacingError(
    `too many SSH connections (streaming.ssh.max_connections is ${max})`,
    { hint: "raise streaming.ssh.max_connections, or follow fewer nodes at once" },
  );
}
