/**
 * Where and how to connect to a node, the way OpenSSH decides it: `~/.ssh/config`, then
 * `/etc/ssh/ssh_config` (first value wins, as in ssh_config(5)), then s9s's streaming.ssh
 * settings as defaults. Parsing is the npm `ssh-config` package's; `Include` is expanded here.
 * @module
 */
import SSHConfig from "ssh-config";
import { dirname, join } from "../platform/posix_path.ts";
import type { StreamingConfig } from "../config/schema.ts";
import { expandHome, homeDir } from "../platform/paths.ts";

/** StrictHostKeyChecking as s9s applies it. */
export type HostKeyMode = "strict" | "accept-new" | "off";

/** Everything needed to open one SSH connection (one hop). */
export interface SshTarget {
  /** The name the user gave (a Host alias, a node name, an address). */
  alias: string;
  hostname: string;
  port: number;
  user: string;
  identityFiles: string[];
  identitiesOnly: boolean;
  /** Hops to go through first (ProxyJump), in order; each as given (`[user@]host[:port]`). */
  proxyJump: string[];
  userKnownHosts: string[];
  globalKnownHosts: string[];
  hostKeyMode: HostKeyMode;
  /** Hash names recorded for new hosts (HashKnownHosts). */
  hashKnownHosts: boolean;
  connectTimeoutMs: number;
}

/** Paths of the two ssh_config files (overridable for tests). */
export interface SshConfigFiles {
  user?: string;
  system?: string;
}

const cache = new Map<string, SSHConfig | null>();

function load(path: string): SSHConfig | null {
  if (cache.has(path)) return cache.get(path)!;
  let parsed: SSHConfig | null = null;
  try {
    parsed = SSHConfig.parse(expandIncludes(Deno.readTextFileSync(path), dirname(path), 0));
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  cache.set(path, parsed);
  return parsed;
}

/** Inline `Include` files (relative to ~/.ssh or /etc/ssh; `*` and `?` in the last part). */
function expandIncludes(text: string, base: string, depth: number): string {
  if (depth > 8) return text;
  return text.split("\n").map((line) => {
    const m = /^\s*include\s*[= ]\s*(.+)$/i.exec(line);
    if (!m) return line;
    return m[1].trim().split(/\s+/).flatMap((pat) => {
      const full = expandHome(pat).startsWith("/") ? expandHome(pat) : join(base, pat);
      return globFiles(full).map((f) => {
        try {
          return expandIncludes(Deno.readTextFileSync(f), base, depth + 1);
        } catch {
          return "";
        }
      });
    }).join("\n");
  }).join("\n");
}

function globFiles(pattern: string): string[] {
  const dir = dirname(pattern);
  const last = pattern.slice(dir.length + 1);
  if (!/[*?]/.test(last)) return [pattern];
  const re = new RegExp(`^${
    last.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")
      .replace(/\?/g, ".")
  }$`);
  try {
    return [...Deno.readDirSync(dir)].filter((e) => re.test(e.name)).map((e) => join(dir, e.name))
      .sort();
  } catch {
    return [];
  }
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function all(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function yes(v: string | undefined): boolean | undefined {
  return v === undefined ? undefined : /^(yes|true)$/i.test(v);
}

/** Forget parsed files (tests that rewrite a config). */
export function clearSshConfigCache(): void {
  cache.clear();
}

/**
 * Resolve `host` (`[user@]name[:port]`) to a connection target. An explicit user or port in the
 * name wins over ssh_config, which wins over streaming.ssh.
 */
export function resolveSshTarget(
  host: string,
  cfg: StreamingConfig["ssh"],
  files: SshConfigFiles = {},
): SshTarget {
  const { name, user: givenUser, port: givenPort } = splitHost(host);
  const lists = [
    load(files.user ?? join(homeDir(), ".ssh", "config")),
    load(files.system ?? "/etc/ssh/ssh_config"),
  ];
  const computed = lists.map((c) =>
    c ? c.compute(name, { ignoreCase: true, matchExec: false }) : {}
  );
  const get = (k: string) => computed.map((c) => first(c[k])).find((v) => v !== undefined);
  const user = givenUser ?? get("user") ?? (cfg.user ||
    Deno.env.get("USER") || Deno.env.get("LOGNAME") || "root");
  const hostname = (get("hostname") ?? name).replaceAll("%h", name);
  const tokens = (p: string) =>
    expandHome(
      p.replaceAll("%d", homeDir()).replaceAll("%u", Deno.env.get("USER") ?? "")
        .replaceAll("%r", user).replaceAll("%h", hostname).replace(/^"(.*)"$/, "$1"),
    );
  const identityFiles = computed.flatMap((c) => all(c["identityfile"])).map(tokens);
  if (!identityFiles.length) {
    identityFiles.push(
      expandHome(cfg.key_file),
      ...["id_ed25519", "id_ecdsa", "id_rsa"].map((k) => join(homeDir(), ".ssh", k)),
    );
  }
  const jump = get("proxyjump");
  const strict = get("stricthostkeychecking")?.toLowerCase();
  const timeout = Number(get("connecttimeout"));
  return {
    alias: name,
    hostname,
    port: givenPort ?? (Number(get("port")) || cfg.port),
    user,
    identityFiles: [...new Set(identityFiles)],
    identitiesOnly: yes(get("identitiesonly")) ?? false,
    proxyJump: !jump || /^none$/i.test(jump) ? [] : jump.split(",").map((s) => s.trim()),
    userKnownHosts: (get("userknownhostsfile")?.split(/\s+/) ?? [cfg.known_hosts]).map(tokens),
    globalKnownHosts: (get("globalknownhostsfile")?.split(/\s+/) ??
      ["/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"]).map(tokens),
    hostKeyMode: strict === undefined
      ? cfg.host_key_checking
      : strict === "yes"
      ? "strict"
      : strict === "no" || strict === "off"
      ? "off"
      : "accept-new",
    hashKnownHosts: yes(get("hashknownhosts")) ?? false,
    connectTimeoutMs: timeout > 0 ? timeout * 1000 : cfg.timeout,
  };
}

/** Split `[user@]host[:port]` (an IPv6 address goes in brackets: `[::1]:22`). */
export function splitHost(host: string): { name: string; user?: string; port?: number } {
  let rest = host;
  let user: string | undefined;
  const at = rest.lastIndexOf("@");
  if (at > 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  let port: number | undefined;
  const m = /^\[(.*)\]:(\d+)$/.exec(rest) ?? /^([^:]*):(\d+)$/.exec(rest);
  if (m) {
    rest = m[1];
    port = Number(m[2]);
  }
  return { name: rest, user, port };
}
