/**
 * Host key checking with OpenSSH's known_hosts semantics: hashed names (`|1|salt|hash`),
 * wildcard and negated patterns, `[host]:port`, `@revoked` (refused) and `@cert-authority` (never
 * a plain host key), the user's files then the global ones, and trust on first use for
 * `accept-new`: the new key is recorded in the user's first known_hosts file.
 * @module
 */
import { createHash, createHmac, randomBytes } from "node:crypto";
import { dirname } from "../platform/posix_path.ts";
import type { HostKeyMode } from "./ssh_config.ts";

/** Why a host key was refused: a one-line reason and the fix. */
export interface HostKeyRefusal {
  message: string;
  hint: string;
}

/** What to check a key against. */
export interface HostKeyCheck {
  hostname: string;
  port: number;
  /** The server's host key blob (SSH wire format). */
  key: Uint8Array;
  userFiles: string[];
  globalFiles: string[];
  mode: HostKeyMode;
  /** Hash the name when recording a new key (HashKnownHosts). */
  hash?: boolean;
}

interface Entry {
  file: string;
  line: number;
  marker?: "revoked" | "cert-authority";
  hosts: string;
  type: string;
  b64: string;
}

/** OpenSSH's SHA256 fingerprint of a key blob: `SHA256:` + unpadded base64. */
export function fingerprint(key: Uint8Array): string {
  return "SHA256:" + createHash("sha256").update(key).digest("base64").replace(/=+$/, "");
}

/** The key type named at the start of a key blob (e.g. "ssh-ed25519"). */
export function keyType(key: Uint8Array): string {
  const n = new DataView(key.buffer, key.byteOffset, key.byteLength).getUint32(0);
  return new TextDecoder().decode(key.subarray(4, 4 + n));
}

/** The name known_hosts uses for a host and port. */
export function knownHostsName(hostname: string, port: number): string {
  return port === 22 ? hostname : `[${hostname}]:${port}`;
}

function b64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function readEntries(file: string): Entry[] {
  let text: string;
  try {
    text = Deno.readTextFileSync(file);
  } catch {
    return [];
  }
  const out: Entry[] = [];
  text.split("\n").forEach((raw, i) => {
    const t = raw.trim();
    if (!t || t.startsWith("#")) return;
    const parts = t.split(/\s+/);
    let marker: Entry["marker"];
    if (parts[0].startsWith("@")) {
      const m = parts.shift()!.slice(1);
      if (m !== "revoked" && m !== "cert-authority") return; // unknown marker: ignored, as ssh does
      marker = m;
    }
    if (parts.length < 3) return;
    out.push({ file, line: i + 1, marker, hosts: parts[0], type: parts[1], b64: parts[2] });
  });
  return out;
}

function globToRegExp(p: string): RegExp {
  const esc = p.toLowerCase().replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${esc}$`);
}

/** Whether a known_hosts host field matches `name` (OpenSSH match_hostname semantics). */
export function hostFieldMatches(field: string, name: string): boolean {
  const lower = name.toLowerCase();
  let matched = false;
  for (const pat of field.split(",")) {
    if (pat.startsWith("|1|")) {
      const [, , salt, hash] = pat.split("|");
      const mac = createHmac("sha1", Uint8Array.from(atob(salt), (c) => c.charCodeAt(0)))
        .update(name).digest("base64");
      if (mac === hash) matched = true;
    } else if (pat.startsWith("!")) {
      if (globToRegExp(pat.slice(1)).test(lower)) return false; // a negated match wins
    } else if (globToRegExp(pat).test(lower)) {
      matched = true;
    }
  }
  return matched;
}

/** A known_hosts line for a new key (hashed if asked, like HashKnownHosts). */
export function knownHostsLine(name: string, key: Uint8Array, hash = false): string {
  let host = name;
  if (hash) {
    const salt = randomBytes(20);
    host = `|1|${salt.toString("base64")}|${
      createHmac("sha1", salt).update(name).digest("base64")
    }`;
  }
  return `${host} ${keyType(key)} ${b64(key)}`;
}

/**
 * Check a server's host key. Returns null when it is accepted (recording it first when it is
 * new and the mode is accept-new), else why it is refused.
 */
export function verifyHostKey(c: HostKeyCheck): HostKeyRefusal | null {
  if (c.mode === "off") return null;
  const name = knownHostsName(c.hostname, c.port);
  const keyB64 = b64(c.key);
  const fp = fingerprint(c.key);
  const entries = [...c.userFiles, ...c.globalFiles].flatMap(readEntries)
    .filter((e) => hostFieldMatches(e.hosts, name));
  const at = (e: Entry) => `${e.file}:${e.line}`;
  const revoked = entries.find((e) => e.marker === "revoked" && e.b64 === keyB64);
  if (revoked) {
    return {
      message: `host key ${fp} of "${name}" is revoked (@revoked in ${at(revoked)})`,
      hint: "the node's key was withdrawn: ask its administrators for the new one",
    };
  }
  const plain = entries.filter((e) => !e.marker);
  if (plain.some((e) => e.b64 === keyB64)) return null;
  if (plain.length) {
    const old = plain.find((e) => e.type === keyType(c.key)) ?? plain[0];
    return {
      message: `host key for "${name}" has changed: it offered ${fp} (${keyType(c.key)}), ${
        at(old)
      } has a different ${old.type} key`,
      hint:
        `if the node was reinstalled, remove the old key: ssh-keygen -R '${name}' -f ${old.file}`,
    };
  }
  const ca = entries.find((e) => e.marker === "cert-authority");
  if (ca) {
    return {
      message: `"${name}" is vouched for by a @cert-authority (${at(ca)}), but s9s cannot verify` +
        ` host certificates; its plain key ${fp} is not in known_hosts`,
      hint:
        `check ${fp} with the node's administrators, then add it: ssh-keyscan -p ${c.port} ${c.hostname} >> ${
          c.userFiles[0]
        }`,
    };
  }
  if (c.mode === "strict") {
    return {
      message: `"${name}" is not in known_hosts and StrictHostKeyChecking is on (key ${fp})`,
      hint: `check the fingerprint, then add it: ssh-keyscan -p ${c.port} ${c.hostname} >> ${
        c.userFiles[0]
      }`,
    };
  }
  recordKey(c.userFiles[0], knownHostsLine(name, c.key, c.hash));
  return null;
}

function recordKey(file: string, line: string): void {
  try {
    Deno.mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    let prefix = "";
    try {
      const text = Deno.readTextFileSync(file);
      if (text && !text.endsWith("\n")) prefix = "\n";
    } catch { /* new file */ }
    Deno.writeTextFileSync(file, `${prefix}${line}\n`, { append: true, mode: 0o600 });
  } catch {
    // Not recording a key is not a reason to refuse it (accept-new); the next run asks again.
  }
}
