/**
 * One SSH connection per node, shared by every stream from that node. Streams read their files
 * through one SFTP session on it (one channel however many files), so sshd's MaxSessions never
 * forces a second connection; short commands use a passing exec channel. A connection that
 * dies is forgotten, and the next request opens a new one.
 * @module
 */
import type { StreamingConfig } from "../config/schema.ts";
import { connectSsh, type SshConnection } from "./ssh_connect.ts";
import type { SshConfigFiles } from "./ssh_config.ts";
import type { Sftp } from "./sftp.ts";
import {
  type Channel,
  checkConnectionLimit,
  NoSftpError,
  type PoolStats,
  type RemoteShell,
  type RunResult,
  runToEnd,
} from "./remote_shell.ts";

export { type Channel, NoSftpError, type PoolStats, shQuote } from "./remote_shell.ts";

interface Conn {
  ready: Promise<SshConnection>;
  sftp?: Promise<Sftp>;
  /** sshd refused the sftp subsystem on this connection. */
  noSftp?: boolean;
  /** Channel opens are issued one at a time (concurrent opens can stall under Deno's node layer). */
  opening: Promise<unknown>;
  closed: boolean;
  /** Exec channels open now, and who waits for one of them to close. */
  execs: number;
  execWaiters: (() => void)[];
  /** The SFTP session, once open (for its count of open files). */
  session?: Sftp;
  /** When the connection last became idle (no open file, no exec channel); 0 while in use. */
  idleSince: number;
}

/** A pool of SSH connections keyed by host. */
export class SshPool implements RemoteShell {
  readonly transport = "builtin" as const;
  #cfg: StreamingConfig["ssh"];
  #conns = new Map<string, Conn>();
  #debug: (m: string) => void;
  #files?: SshConfigFiles;
  readonly stats: PoolStats = { connectionsOpened: 0, channelsOpened: 0 };

  constructor(
    cfg: StreamingConfig["ssh"],
    debug: (m: string) => void = () => {},
    files?: SshConfigFiles,
  ) {
    this.#cfg = cfg;
    this.#debug = debug;
    this.#files = files;
  }

  /** The SFTP session on `host`'s connection (opened once, shared by every stream). */
  sftp(host: string): Promise<Sftp> {
    const conn = this.#connection(host);
    conn.sftp ??= (async () => {
      const { client } = await conn.ready;
      const { Sftp } = await import("./sftp.ts");
      const open = conn.opening.then(() =>
        new Promise<unknown>((resolve, reject) =>
          client.sftp((err, s) => (err ? reject(err) : resolve(s)))
        )
      );
      conn.opening = open.catch(() => {});
      this.stats.channelsOpened++;
      try {
        const session = new Sftp(await open, () => (conn.closed = true));
        session.onIdle = () => this.#noteIdle(conn);
        conn.session = session;
        return session;
      } catch (err) {
        if (!subsystemRefused(err)) throw err;
        conn.noSftp = true;
        this.#debug(`ssh ${host}: no SFTP subsystem; files are read with tail over exec`);
        throw new NoSftpError(host);
      }
    })();
    // A refused subsystem leaves the connection fine for exec channels.
    conn.sftp.catch(() => (conn.closed ||= !conn.noSftp));
    return conn.sftp;
  }

  /** Run `command` on `host`; resolves with the open channel. */
  async exec(host: string, command: string): Promise<Channel> {
    const conn = this.#connection(host);
    const { client } = await conn.ready;
    for (let attempt = 0;; attempt++) {
      const open = conn.opening.then(() =>
        new Promise<Channel>((resolve, reject) => {
          client.exec(command, (err, ch) => (err ? reject(err) : resolve(ch as Channel)));
        })
      );
      conn.opening = open.catch(() => {});
      this.stats.channelsOpened++;
      try {
        const ch = await open;
        conn.execs++;
        ch.on("close", () => {
          conn.execs--;
          conn.execWaiters.shift()?.();
          this.#noteIdle(conn);
        });
        return ch;
      } catch (err) {
        // sshd's MaxSessions: wait for one of our other channels to close, then try again.
        if (!sessionRefused(err) || !conn.execs || attempt > 50) throw err;
        await new Promise<void>((resolve) => conn.execWaiters.push(resolve));
      }
    }
  }

  /** Run a command to completion and return its output (small outputs only). */
  async run(host: string, command: string): Promise<RunResult> {
    return await runToEnd(await this.exec(host, command));
  }

  /** How long one connection attempt may take (streaming.ssh.timeout), in ms. */
  get timeoutMs(): number {
    return this.#cfg.timeout;
  }

  /** Whether `host` has a live connection now. */
  connected(host: string): boolean {
    const c = this.#conns.get(host);
    return !!c && !c.closed;
  }

  #connection(host: string): Conn {
    const existing = this.#conns.get(host);
    if (existing && !existing.closed) {
      existing.idleSince = 0; // in use again
      return existing;
    }
    const live = [...this.#conns.values()].filter((c) => !c.closed).length;
    checkConnectionLimit(live, this.#cfg.max_connections);
    this.stats.connectionsOpened++;
    const conn: Conn = {
      ready: Promise.resolve() as never,
      opening: Promise.resolve(),
      closed: false,
      execs: 0,
      execWaiters: [],
      idleSince: 0,
    };
    conn.ready = connectSsh(host, this.#cfg, { debug: this.#debug, files: this.#files });
    conn.ready.then((c) => {
      c.client.on("close", () => {
        conn.closed = true;
        for (const h of c.hops) h.end();
      });
      c.client.on("error", () => (conn.closed = true));
    }, () => (conn.closed = true));
    this.#conns.set(host, conn);
    return conn;
  }

  /**
   * A connection with no open file and no exec channel is idle. `connection_pooling: false`
   * closes it at once (each use opens its own); otherwise at most `max_idle_connections` idle
   * ones stay open for reuse, the longest idle closed first. Checked a tick later, so a stream
   * that opens its file right after a short command keeps the connection.
   */
  #noteIdle(conn: Conn): void {
    setTimeout(() => {
      if (conn.closed || conn.execs > 0 || (conn.session?.openFiles ?? 0) > 0) return;
      conn.idleSince ||= Date.now();
      const idle = [...this.#conns.entries()]
        .filter(([, c]) =>
          !c.closed && c.idleSince > 0 && c.execs === 0 &&
          (c.session?.openFiles ?? 0) === 0
        )
        .sort((a, b) => a[1].idleSince - b[1].idleSince);
      const keep = this.#cfg.connection_pooling ? this.#cfg.max_idle_connections : 0;
      for (const [h, c] of idle.slice(0, Math.max(0, idle.length - keep))) {
        this.#debug(
          `ssh ${h}: closing idle connection (${
            this.#cfg.connection_pooling
              ? `more than max_idle_connections=${keep} idle`
              : "connection_pooling is off"
          })`,
        );
        this.#drop(h, c);
      }
    }, 0);
  }

  #drop(host: string, c: Conn): void {
    c.closed = true;
    c.ready.then((s) => {
      s.client.end();
      for (const h of s.hops) h.end();
    }, () => {});
    if (this.#conns.get(host) === c) this.#conns.delete(host);
  }

  /** Close every connection. */
  close(): void {
    for (const [host, c] of this.#conns) this.#drop(host, c);
    this.#conns.clear();
  }
}

/** SSH_OPEN_UNKNOWN_CHANNEL_TYPE (RFC 4254): a refusal that waiting does not cure. */
const OPEN_UNKNOWN_CHANNEL_TYPE = 3;

/**
 * Whether sshd refused a new channel as its `MaxSessions` does: a channel open failure, which
 * ssh2 gives the server's reason code (OpenSSH sends "connect failed" with "open failed";
 * other servers "administratively prohibited" or "resource shortage").
 */
function sessionRefused(err: unknown): boolean {
  const reason = (err as { reason?: unknown })?.reason;
  return typeof reason === "number" && reason !== OPEN_UNKNOWN_CHANNEL_TYPE;
}

/**
 * Whether sshd answered the `sftp` subsystem request with a failure. ssh2 reports that with an
 * Error of its own wording and no code or level, so the wording is all there is to go by; every
 * other error (a closed connection, a channel refusal, which carry a level or reason) is not it.
 */
function subsystemRefused(err: unknown): boolean {
  const e = err as { message?: unknown; level?: unknown; reason?: unknown };
  return e?.level === undefined && e?.reason === undefined &&
    typeof e?.message === "string" && e.message.startsWith("Unable to start subsystem:");
}
