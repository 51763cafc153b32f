/**
 * One SSH connection per compute node, shared by every stream from that node (ssh2). Channels
 * are opened on the pooled connection; a second connection opens only when the server's
 * per-connection session limit is reached. Host keys are checked against known_hosts.
 * @module
 */
import { Client } from "ssh2";
import { createHmac } from "node:crypto";
import type { StreamingConfig } from "../config/schema.ts";
import { UserFacingError } from "../errors.ts";
import { expandHome, homeDir } from "../platform/paths.ts";

/** The part of an ssh2 exec channel s9s uses. */
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

interface SshClient {
  on(event: string, cb: (...args: unknown[]) => void): SshClient;
  connect(opts: Record<string, unknown>): void;
  exec(cmd: string, cb: (err: Error | undefined, ch: Channel) => void): void;
  end(): void;
}

interface Conn {
  client: SshClient;
  ready: Promise<void>;
  /** Channel opens are issued one at a time (concurrent opens can stall under Deno's node layer). */
  opening: Promise<unknown>;
  sessions: number;
  closed: boolean;
}

/** Quote a string for a POSIX shell. */
export function shQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** Counts for metrics and the bench. */
export interface PoolStats {
  connectionsOpened: number;
  channelsOpened: number;
}

/** A pool of SSH connections keyed by host. */
export class SshPool {
  #cfg: StreamingConfig["ssh"];
  #conns = new Map<string, Conn[]>();
  #debug: (m: string) => void;
  readonly stats: PoolStats = { connectionsOpened: 0, channelsOpened: 0 };

  constructor(cfg: StreamingConfig["ssh"], debug: (m: string) => void = () => {}) {
    this.#cfg = cfg;
    this.#debug = debug;
  }

  /** Run `command` on `host`; resolves with the open channel. */
  async exec(host: string, command: string): Promise<Channel> {
    const conn = this.#connection(host); // reserves a session on it
    this.stats.channelsOpened++;
    try {
      await conn.ready;
      const open = conn.opening.then(() =>
        new Promise<Channel>((resolve, reject) => {
          conn.client.exec(command, (err, ch) => (err ? reject(err) : resolve(ch)));
        })
      );
      conn.opening = open.catch(() => {});
      const ch = await open;
      ch.on("close", () => {
        conn.sessions--;
      });
      return ch;
    } catch (err) {
      conn.sessions--;
      if (/open failed|administratively prohibited/i.test((err as Error).message)) {
        // The server's session limit: next time use another connection.
        conn.sessions = Math.max(conn.sessions, this.#cfg.max_sessions_per_connection);
      }
      throw err;
    }
  }

  /** Run a command to completion and return its stdout (small outputs only). */
  async run(
    host: string,
    command: string,
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const ch = await this.exec(host, command);
    const dec = new TextDecoder();
    let stdout = "";
    let stderr = "";
    return await new Promise((resolve, reject) => {
      ch.on("data", (d) => (stdout += dec.decode(d, { stream: true })));
      ch.stderr.on("data", (d) => (stderr += dec.decode(d, { stream: true })));
      ch.on("error", reject);
      ch.on("close", (code) => resolve({ code, stdout, stderr }));
    });
  }

  #connection(host: string): Conn {
    const list = (this.#conns.get(host) ?? []).filter((c) => !c.closed);
    this.#conns.set(host, list);
    const limit = this.#cfg.max_sessions_per_connection;
    let conn = list.find((c) => c.sessions < limit);
    if (!conn) {
      const hosts = [...this.#conns.entries()].filter(([h, l]) =>
        h !== host && l.some((c) => !c.closed)
      ).length;
      if (!list.length && hosts >= this.#cfg.max_connections) {
        throw new UserFacingError(
          `too many SSH connections (streaming.ssh.max_connections is ${this.#cfg.max_connections})`,
          { hint: "raise streaming.ssh.max_connections, or follow fewer nodes at once" },
        );
      }
      conn = this.#open(host);
      list.push(conn);
    }
    conn.sessions++;
    return conn;
  }

  #open(host: string): Conn {
    const client = new Client() as unknown as SshClient;
    const { hostname, port, user } = parseHost(host, this.#cfg);
    const conn: Conn = {
      client,
      sessions: 0,
      closed: false,
      ready: Promise.resolve(),
      opening: Promise.resolve(),
    };
    this.stats.connectionsOpened++;
    this.#debug(`ssh connect ${user}@${hostname}:${port}`);
    conn.ready = new Promise<void>((resolve, reject) => {
      let mismatch: string | undefined;
      client.on("ready", () => resolve());
      client.on("error", (e) => {
        conn.closed = true;
        const err = e as Error & { level?: string };
        if (mismatch) {
          reject(
            new UserFacingError(`host key mismatch for ${hostname}:${port}: ${mismatch}`, {
              hint: `if the node was reinstalled, remove its old entry: ssh-keygen -R ${
                port === 22 ? hostname : `'[${hostname}]:${port}'`
              }`,
            }),
          );
          return;
        }
        const auth = err.level === "client-authentication";
        reject(
          new UserFacingError(
            auth
              ? `SSH authentication to ${user}@${hostname} failed`
              : `cannot connect to ${hostname}:${port} over SSH: ${err.message}`,
            {
              hint: auth
                ? `check streaming.ssh.key_file (or ssh-agent) and that your key is in ~/.ssh/authorized_keys on the node: \`ssh ${hostname} true\``
                : `test it with \`ssh -o ConnectTimeout=10 ${hostname} echo test\``,
              cause: err,
            },
          ),
        );
      });
      client.on("close", () => {
        conn.closed = true;
      });
      const keys = privateKeys(this.#cfg.key_file);
      client.connect({
        host: hostname,
        port,
        username: user,
        privateKey: keys[0],
        agent: Deno.env.get("SSH_AUTH_SOCK") || undefined,
        readyTimeout: this.#cfg.timeout,
        keepaliveInterval: 15_000,
        keepaliveCountMax: 4,
        hostVerifier: (key: Uint8Array) => {
          const verdict = checkHostKey(this.#cfg, hostname, port, key);
          if (verdict === true) return true;
          mismatch = verdict;
          return false;
        },
      });
    });
    return conn;
  }

  /** Close every connection. */
  close(): void {
    for (const list of this.#conns.values()) {
      for (const c of list) {
        c.closed = true;
        try {
          c.client.end();
        } catch { /* closed */ }
      }
    }
    this.#conns.clear();
  }
}

/** Split "user@host:port" and fill the defaults. */
export function parseHost(
  host: string,
  cfg: StreamingConfig["ssh"],
): { hostname: string; port: number; user: string } {
  let user = cfg.user || Deno.env.get("USER") || Deno.env.get("LOGNAME") || "root";
  let rest = host;
  const at = rest.lastIndexOf("@");
  if (at > 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  let port = cfg.port;
  const m = /^(.*):(\d+)$/.exec(rest);
  if (m && !rest.includes("]")) {
    rest = m[1];
    port = Number(m[2]);
  }
  return { hostname: rest, port, user };
}

function privateKeys(keyFile: string): string[] {
  const candidates = [
    expandHome(keyFile),
    ...["id_ed25519", "id_ecdsa", "id_rsa"].map((k) => `${homeDir()}/.ssh/${k}`),
  ];
  const out: string[] = [];
  for (const c of candidates) {
    try {
      out.push(Deno.readTextFileSync(c));
    } catch { /* not there */ }
  }
  return out;
}

function b64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/**
 * Check a host key against known_hosts files. true = accept; a string = why it was refused.
 * Unknown hosts are accepted unless host_key_checking is "strict".
 */
export function checkHostKey(
  cfg: StreamingConfig["ssh"],
  hostname: string,
  port: number,
  key: Uint8Array,
): true | string {
  if (cfg.host_key_checking === "off") return true;
  const name = port === 22 ? hostname : `[${hostname}]:${port}`;
  const keyB64 = b64(key);
  let known = false;
  for (const file of [expandHome(cfg.known_hosts), "/etc/ssh/ssh_known_hosts"]) {
    let text: string;
    try {
      text = Deno.readTextFileSync(file);
    } catch {
      continue;
    }
    for (const line of text.split("\n")) {
      const t = line.trim();
      if (!t || t.startsWith("#") || t.startsWith("@revoked")) continue;
      const parts = t.replace(/^@cert-authority\s+/, "").split(/\s+/);
      if (parts.length < 3) continue;
      if (!hostMatches(parts[0], name)) continue;
      if (parts[2] === keyB64) return true;
      known = true;
    }
  }
  if (known) return `the key it offered is not the one in known_hosts`;
  return cfg.host_key_checking === "strict"
    ? `${name} is not in known_hosts (host_key_checking: strict)`
    : true;
}

function hostMatches(field: string, name: string): boolean {
  for (const h of field.split(",")) {
    if (h.startsWith("|1|")) {
      const [, , salt, hash] = h.split("|");
      const mac = createHmac("sha1", Uint8Array.from(atob(salt), (c) => c.charCodeAt(0))).update(
        name,
      ).digest("base64");
      if (mac === hash) return true;
    } else if (h === name) {
      return true;
    }
  }
  return false;
}
