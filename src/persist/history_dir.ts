/**
 * The history directory: where it is, creating it privately (0700), and how its files are named.
 * A session (one stream recorded by one run) is `ID.NNN.log.gz`, NNN the rotation part.
 * @module
 */
import type { StreamingConfig } from "../config/schema.ts";
import { expandHome } from "../platform/paths.ts";
import { UserFacingError } from "../errors.ts";

/** The history directory the config names: `~` expanded, `~/.s9s/` following $S9S_HOME. */
export function historyDir(cfg: StreamingConfig): string {
  const path = expandHome(cfg.persistence.directory);
  return path.replace(/\/+$/, "") || "/";
}

/** Create the directory (and parents) with mode 0700. Throws when it cannot. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await Deno.stat(dir);
  if (st.mode !== null && (st.mode & 0o777) !== 0o700) await Deno.chmod(dir, 0o700);
}

const FILE_RE = /^(.+)\.(\d{3,})\.log\.gz$/;

/** The file name of a session's part. */
export function partFileName(id: string, part: number): string {
  return `${id}.${String(part).padStart(3, "0")}.log.gz`;
}

/** Split a history file name into session id and part, or undefined for other files. */
export function parsePartFileName(name: string): { id: string; part: number } | undefined {
  const m = FILE_RE.exec(name);
  return m ? { id: m[1], part: Number(m[2]) } : undefined;
}

/** A new session id: UTC time ({@link sessionStamp}), a random tag, the job and the stream type. */
export function newSessionId(jobId: string, type: string, now = new Date()): string {
  const tag = Math.floor(Math.random() * 0x10000).toString(16).padStart(4, "0");
  const job = jobId.replace(/[^A-Za-z0-9_+-]+/g, "_").slice(0, 60) || "job";
  return `${sessionStamp(now)}-${tag}-${job}-${type}`;
}

/** How a session id begins: when it started, `YYYYMMDD-HHMMSS` in UTC. */
export function sessionStamp(at: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${at.getUTCFullYear()}${p(at.getUTCMonth() + 1)}${p(at.getUTCDate())}-` +
    `${p(at.getUTCHours())}${p(at.getUTCMinutes())}${p(at.getUTCSeconds())}`;
}

/**
 * When the session of a history file started (ms, to the second), from its name
 * ({@link sessionStamp}); undefined for a name that does not begin with one.
 */
export function sessionStart(name: string): number | undefined {
  const m = /^(\d{4})(\d\d)(\d\d)-(\d\d)(\d\d)(\d\d)-/.exec(name);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  const t = Date.UTC(y, mo - 1, d, h, mi, s);
  // Not a time s9s wrote (month 13, hour 25): Date.UTC would roll it over.
  return sessionStamp(new Date(t)) === m[0].slice(0, -1) ? t : undefined;
}

/** A history file as found on disk. */
export interface DirFile {
  name: string;
  path: string;
  size: number;
  mtime: number;
}

/**
 * What the history directory `dir` holds (nothing when it does not exist); a directory that cannot
 * be read is a {@link UserFacingError}.
 */
export async function historyEntries(dir: string): Promise<Deno.DirEntry[]> {
  const entries: Deno.DirEntry[] = [];
  try {
    for await (const e of Deno.readDir(dir)) entries.push(e);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw new UserFacingError(
      `cannot read the history directory "${dir}": ${(err as Error).message}`,
      {
        hint: "set streaming.persistence.directory to a directory you can read",
        cause: err,
      },
    );
  }
  return entries;
}

/**
 * The history part files in `dir` (none when it does not exist), each stat'ed. Their `stat`s run
 * at once, not one after the other: on a home directory over NFS each is a round trip.
 */
export async function listPartFiles(dir: string): Promise<DirFile[]> {
  const names = (await historyEntries(dir)).filter((e) => e.isFile && parsePartFileName(e.name))
    .map((e) => e.name);
  const found = await Promise.all(names.map(async (name): Promise<DirFile | undefined> => {
    const path = `${dir}/${name}`;
    try {
      const st = await Deno.stat(path);
      return { name, path, size: st.size, mtime: st.mtime?.getTime() ?? 0 };
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return undefined; // removed meanwhile
      throw err;
    }
  }));
  return found.filter((f) => f !== undefined);
}
