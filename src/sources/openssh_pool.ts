/**
 * The openssh transport: the system `ssh`, one master connection per node, every remote command
 * a client over it. ssh reads the user's ssh_config itself, so host-based authentication,
 * GSSAPI, certificates, ProxyCommand and `Match exec` work as they do for `ssh node`.
 *
 * The masters' sockets live in a directory of s9s's own (mode 0700, under $XDG_RUNTIME_DIR or the
 * temp dir), named on every command line (`-o ControlPath=…`, `-S …`), so the user's own masters
 * are never used or closed. A master goes to the background once it is logged in
 * (ControlPersist: the foreground ssh then exits 0, or with the login's error), and is closed with
 * `ssh -O exit` when s9s is done; should s9s die without that, it ends by itself after
 * {@link PERSIST_S} idle seconds. Clients get `ProxyCommand=false`: a client whose master is gone
 * fails instead of opening a connection of its own, so a node never has two.
 * @module
 */
import type { StreamingConfig } from "../config/schema.ts";
import { defaultRawConfig } from "../config/defaults.ts";
import {
  type Channel,
  checkConnectionLimit,
  NoSftpError,
  type PoolStats,
  type RemoteShell,
  type RunResult,
  runToEnd,
  shQuote,
} from "./remote_shell.ts";
import type { Sftp } from "./sftp.ts";
import { OpenSshChannel } from "./openssh_channel.ts";
import { sshFailure } from "./openssh_errors.ts";

/** Idle seconds after which an orphaned master (s9s killed) closes itself. */
const PERSIST_S = 60;

interface Master {
  socket: string;
  ready: Promise<void>;
  /** The ssh logging in, until the master goes to the background. */
  starting?: Deno.ChildProcess;
  closed: boolean;
  /** Clients running now, and who waits for one of them to end (sshd's MaxSessions). */
  clients: number;
  waiters: (() => void)[];
}

/** One OpenSSH master connection per node. */
export class OpenSshPool implements RemoteShell {
  readonly transport = "openssh" as const;
  readonly stats: PoolStats = { connectionsOpened: 0, channelsOpened: 0 };
  #cfg: StreamingConfig["ssh"];
  #debug: (m: string) => void;
  #ssh: string;
  #dir?: Promise<string>;
  #dirPath?: string;
  #masters = new Map<string, Master>();
  #count = 0;
  #common?: string[];

  /** `ssh` is the client to run (a path, or a name looked up on PATH). */
  constructor(cfg: StreamingConfig["ssh"], debug: (m: string) => void = () => {}, ssh = "ssh") {
    this.#cfg = cfg;
    this.#debug = debug;
    this.#ssh = ssh;
  }

  get timeoutMs(): number {
    return this.#cfg.timeout;
  }

  /** Files are read with tail over the master (no SFTP session through ssh's mux). */
  sftp(host: string): Promise<Sftp> {
    return Promise.reject(
      new NoSftpError(host, {
        reason: `reading ${host} through the system ssh`,
        how: "tail -F over its master connection",
      }),
    );
  }

  connected(host: string): boolean {
    const m = this.#masters.get(host);
    return !!m && !m.closed;
  }

  /** The control socket of `host`'s master (for tests and doctor). */
  controlPath(host: string): string | undefined {
    return this.#masters.get(host)?.socket;
  }

  async exec(
    host: string,
    command: string,
    onQueued?: (why: string) => void,
  ): Promise<Channel> {
    for (let attempt = 0;; attempt++) {
      const m = this.#master(host);
      await m.ready;
      this.stats.channelsOpened++;
      // The marker on stderr says the session is open (sshd may refuse it: MaxSessions).
      const remote = `sh -c ${shQuote(`echo s9s-open >&2; ${command}`)}`;
      const ch = new OpenSshChannel(this.#ssh, [...this.#clientArgs(m), host, remote], {
        debug: this.#debug,
      });
      m.clients++;
      ch.on("close", (code) => {
        m.clients--;
        m.waiters.shift()?.();
        if (code === 255) this.#check(host, m);
      });
      const opened = await ch.opened;
      if (opened === true) return ch;
      const refused = /open refused|administratively prohibited|open failed/i.test(opened);
      if (refused && m.clients > 0 && attempt < 50) {
        if (attempt === 0) {
          onQueued?.(
            `${host} allows no more sessions on one connection (its sshd's MaxSessions): waiting for one of s9s's to end; raise MaxSessions there, or use --ssh-transport builtin (one SFTP session for all files)`,
          );
        }
        await new Promise<void>((resolve) => m.waiters.push(resolve));
        continue;
      }
      await this.#check(host, m);
      throw sshFailure(host, opened, { timeoutMs: this.#cfg.timeout, lost: m.closed });
    }
  }

  async run(host: string, command: string): Promise<RunResult> {
    return await runToEnd(await this.exec(host, command));
  }

  /**
   * Close every master (`ssh -O exit`) and remove the socket directory. Synchronous, so that it is
   * done before s9s exits whoever calls it (a few ms per node: the request is local).
   */
  close(): void {
    for (const [host, m] of this.#masters) {
      m.closed = true;
      try {
        m.starting?.kill("SIGKILL");
      } catch { /* ended */ }
      if (!m.socket || !exists(m.socket)) continue;
      try {
        new Deno.Command(this.#ssh, {
          args: ["-o", "BatchMode=yes", "-S", m.socket, "-O", "exit", host],
          stdin: "null",
          stdout: "null",
          stderr: "null",
        }).outputSync();
      } catch { /* no ssh: nothing to close */ }
    }
    this.#masters.clear();
    if (this.#dirPath) {
      try {
        Deno.removeSync(this.#dirPath, { recursive: true });
      } catch { /* gone */ }
    }
  }

  #master(host: string): Master {
    const existing = this.#masters.get(host);
    if (existing && !existing.closed) return existing;
    const live = [...this.#masters.values()].filter((m) => !m.closed).length;
    checkConnectionLimit(live, this.#cfg.max_connections);
    this.stats.connectionsOpened++;
    const m: Master = {
      socket: "",
      ready: Promise.resolve(),
      closed: false,
      clients: 0,
      waiters: [],
    };
    m.ready = this.#start(host, m);
    m.ready.catch(() => (m.closed = true));
    this.#masters.set(host, m);
    return m;
  }

  async #start(host: string, m: Master): Promise<void> {
    this.#dir ??= Deno.makeTempDir({
      dir: Deno.env.get("XDG_RUNTIME_DIR") || undefined,
      prefix: "s9s-ssh-",
    }).then(async (d) => {
      await Deno.chmod(d, 0o700);
      return this.#dirPath = d;
    });
    m.socket = `${await this.#dir}/m${this.#count++}`;
    const args = [
      ...this.#commonArgs(),
      "-o",
      "ControlMaster=yes",
      "-o",
      `ControlPath=${m.socket}`,
      "-o",
      `ControlPersist=${PERSIST_S}`,
      // The user's LocalForward & co. belong to their own sessions, not to s9s's master.
      "-o",
      "ClearAllForwardings=yes",
      // A dead link is noticed within a minute, as the built-in client's keepalives do.
      "-o",
      "ServerAliveInterval=15",
      "-o",
      "ServerAliveCountMax=4",
      "-N",
      host,
    ];
    this.#debug(`openssh: starting the master for ${host}: ${this.#ssh} ${args.join(" ")}`);
    const child = new Deno.Command(this.#ssh, {
      args,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    m.starting = child;
    // ConnectTimeout bounds the TCP connect and the banner; this bounds the whole login.
    const deadline = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch { /* ended */ }
    }, this.#cfg.timeout + 5_000);
    const out = await child.output().finally(() => {
      clearTimeout(deadline);
      m.starting = undefined;
    });
    if (m.closed) throw new Error(`closed while connecting to ${host}`);
    const stderr = new TextDecoder().decode(out.stderr);
    if (out.code !== 0) {
      this.#debug(`openssh: master for ${host} failed (${out.signal ?? out.code}): ${stderr}`);
      throw sshFailure(host, out.signal ? "timed out" : stderr, { timeoutMs: this.#cfg.timeout });
    }
    this.#debug(`openssh: master for ${host} is up (${m.socket})`);
  }

  /** After a client failed: is the master still there? If not, the next exec starts one. */
  async #check(host: string, m: Master): Promise<void> {
    if (m.closed || !m.socket) return;
    if (!(await this.#control(host, m.socket, "check"))) {
      this.#debug(`openssh: the master for ${host} is gone`);
      m.closed = true;
    }
  }

  async #control(host: string, socket: string, op: "check"): Promise<boolean> {
    const out = await new Deno.Command(this.#ssh, {
      args: ["-o", "BatchMode=yes", "-S", socket, "-O", op, host],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output().catch(() => undefined);
    return out?.code === 0;
  }

  #clientArgs(m: Master): string[] {
    return [
      ...this.#commonArgs(),
      "-S",
      m.socket,
      "-o",
      "ControlMaster=no",
      "-o",
      "ProxyCommand=false",
      "-T",
    ];
  }

  /**
   * BatchMode, the timeout and the streaming.ssh settings the user changed from their default
   * (worked out once). A RemoteCommand in the user's config would refuse our commands.
   */
  #commonArgs(): string[] {
    if (this.#common) return this.#common;
    const c = this.#cfg;
    const d = (defaultRawConfig() as { streaming: { ssh: Record<string, unknown> } }).streaming
      .ssh;
    const args = ["-o", "BatchMode=yes", "-o", `ConnectTimeout=${Math.ceil(c.timeout / 1000)}`];
    args.push("-o", "RemoteCommand=none");
    if (c.user) args.push("-l", c.user);
    if (c.port !== d.port) args.push("-p", String(c.port));
    if (c.key_file !== d.key_file) args.push("-i", c.key_file);
    if (c.known_hosts !== d.known_hosts) args.push("-o", `UserKnownHostsFile=${c.known_hosts}`);
    // ssh checks host keys as its config says; s9s only ever makes it stricter ("off" is ignored).
    if (c.host_key_checking === "strict") args.push("-o", "StrictHostKeyChecking=yes");
    return this.#common = args;
  }
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
