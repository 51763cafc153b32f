/**
 * The history index (`index.json`): one entry per part file. It is only a cache of what the
 * files' gzip headers say — every member carries its line numbers and times, the first member of
 * a part the stream's identity — so a missing, corrupt or stale index is rebuilt from the files.
 * @module
 */
import { scanMembers } from "../codec/gzip_chunk.ts";
import { type DirFile, listPartFiles, parsePartFileName } from "./history_dir.ts";
import { byCodeUnit } from "../core/code_unit_order.ts";

/** Metadata in a history member's gzip header. */
export interface MemberMeta {
  /** line_num of the member's first line. */
  l: number;
  /** [lines, epoch ms] runs. */
  r: [number, number][];
  /** line_nums cut at the line cap. */
  x?: number[];
  /**
   * Where line_nums jump (a filter left lines out): pairs of [index of the line in the member,
   * how far its line_num is past the previous line's + 1]. Absent: consecutive from `l`.
   */
  g?: number[];
  /** The stream (first member of a part only). */
  s?: StreamMeta;
}

/** Who a history session belongs to. */
export interface StreamMeta {
  id: string;
  part: number;
  job_id: string;
  type: string;
  node: string | null;
  source: string;
  path: string | null;
}

/** One part file, as the index describes it. */
export interface HistoryEntry extends StreamMeta {
  file: string;
  first_line: number;
  lines: number;
  /** Uncompressed bytes of the lines (with their newlines). */
  bytes: number;
  first_ts: number;
  last_ts: number;
  /** Bytes of the file on disk when indexed (a different size means stale). */
  size: number;
  /**
   * A write error (a full disk) or a crash stopped this part: later lines were not saved, and the
   * file may end in a partial member, counted in `size` but not in `lines` and `bytes`.
   */
  cut?: boolean;
}

const INDEX = "index.json";
/** Why a write can fail that is the filesystem's state, not a bug: read-only, full, over quota. */
const CANNOT_WRITE = new Set(["EROFS", "ENOSPC", "EDQUOT"]);

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  return typeof code === "string" ? code : "";
}

/** Read a part file's headers into an index entry (undefined when it holds no complete member). */
export async function scanPartFile(f: DirFile): Promise<HistoryEntry | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(f.path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined; // removed by cleanup meanwhile
    throw err;
  }
  const { members, end } = scanMembers<MemberMeta>(bytes);
  const parsed = parsePartFileName(f.name)!;
  const first = members[0]?.meta;
  if (!first?.s) return undefined;
  let lines = 0;
  let size = 0;
  let lastTs = 0;
  for (const m of members) {
    for (const [n, t] of m.meta?.r ?? []) {
      lines += n;
      lastTs = t;
    }
    size += m.size;
  }
  const entry: HistoryEntry = {
    ...first.s,
    id: parsed.id,
    part: parsed.part,
    file: f.name,
    first_line: first.l,
    lines,
    bytes: size,
    first_ts: first.r[0]?.[1] ?? 0,
    last_ts: lastTs,
    size: f.size,
  };
  // Bytes after the last complete member: a write that did not finish (full disk, crash).
  if (end < bytes.length) entry.cut = true;
  return entry;
}

async function readIndexFile(dir: string): Promise<Record<string, HistoryEntry>> {
  let text: string;
  try {
    text = await Deno.readTextFile(`${dir}/${INDEX}`);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return {}; // built from the files
    throw err;
  }
  try {
    const raw = JSON.parse(text);
    if (raw && raw.version === 1 && raw.files && typeof raw.files === "object") return raw.files;
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
  }
  return {}; // corrupt or from another version: rebuilt from the files
}

async function writeIndexFile(dir: string, files: Record<string, HistoryEntry>): Promise<void> {
  const tmp = `${dir}/.${INDEX}.${Deno.pid}.tmp`;
  // Sync: the async form checks for a ReadableStream, which loads the runtime's web streams
  // (≈ 5 ms at the end of a short session); the index is a few KB.
  Deno.writeTextFileSync(tmp, JSON.stringify({ version: 1, files }), { mode: 0o600 });
  await Deno.rename(tmp, `${dir}/${INDEX}`);
}

/**
 * The index, reconciled with the directory: entries of vanished files dropped, new or changed
 * files (e.g. after a crash) rescanned. Rewritten when it changed and the directory allows.
 */
export async function loadIndex(dir: string): Promise<HistoryEntry[]> {
  const files = await listPartFiles(dir); // a directory that cannot be read is reported here
  const idx = await readIndexFile(dir);
  const next: Record<string, HistoryEntry> = {};
  let changed = Object.keys(idx).length !== files.length;
  for (const f of files) {
    const e = idx[f.name];
    if (e && e.size === f.size) {
      next[f.name] = e;
      continue;
    }
    changed = true;
    const scanned = await scanPartFile(f);
    if (scanned) next[f.name] = scanned;
  }
  if (changed) {
    try {
      await writeIndexFile(dir, next);
    } catch (err) {
      // The index is only a cache: a directory that does not let us write it (another user's,
      // read-only, full) still lists from the files.
      if (!(err instanceof Deno.errors.PermissionDenied || CANNOT_WRITE.has(codeOf(err)))) {
        throw err;
      }
    }
  }
  return Object.values(next).sort((a, b) =>
    a.first_ts - b.first_ts || byCodeUnit(a.id, b.id) || a.part - b.part
  );
}

/** Merge fresh entries (from a writer) into the index file. */
export async function updateIndex(dir: string, entries: HistoryEntry[]): Promise<void> {
  const idx = await readIndexFile(dir);
  for (const e of entries) idx[e.file] = e;
  await writeIndexFile(dir, idx);
}

/** One recorded stream: its parts in order. */
export interface HistorySession {
  id: string;
  job_id: string;
  type: string;
  node: string | null;
  source: string;
  path: string | null;
  first_ts: number;
  last_ts: number;
  lines: number;
  /** Uncompressed bytes of the saved lines. */
  bytes: number;
  /** Bytes its files take on disk. */
  size: number;
  /** Whether a write error cut it short (some lines were not saved). */
  cut: boolean;
  parts: HistoryEntry[];
}

/** Group part entries by session. */
export function sessionsOf(entries: HistoryEntry[]): HistorySession[] {
  const by = new Map<string, HistorySession>();
  for (const e of entries) {
    let s = by.get(e.id);
    if (!s) {
      s = {
        id: e.id,
        job_id: e.job_id,
        type: e.type,
        node: e.node,
        source: e.source,
        path: e.path,
        first_ts: e.first_ts,
        last_ts: e.last_ts,
        lines: 0,
        bytes: 0,
        size: 0,
        cut: false,
        parts: [],
      };
      by.set(e.id, s);
    }
    s.parts.push(e);
    s.lines += e.lines;
    s.bytes += e.bytes;
    s.size += e.size;
    s.cut ||= e.cut === true;
    s.first_ts = Math.min(s.first_ts, e.first_ts);
    s.last_ts = Math.max(s.last_ts, e.last_ts);
  }
  for (const s of by.values()) s.parts.sort((a, b) => a.part - b.part);
  return [...by.values()].sort((a, b) => a.first_ts - b.first_ts || byCodeUnit(a.id, b.id));
}
