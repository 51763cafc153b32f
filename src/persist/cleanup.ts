/**
 * History cleanup: remove part files older than the age limit, then the oldest beyond the count
 * limit; and spill files left behind by processes that are gone.
 *
 * Every run cleans, and a directory at its `max_files` is the usual state, so the cleanup reads
 * no more than it must: a part's name starts with its session's start time (sessionStamp in
 * ./history_dir.ts), and a file is written after its session started, so that time bounds the file's
 * modification time from below. A file whose session started within the age limit is young enough
 * without a `stat`, and the oldest files by modification time are found by stat'ing parts in the
 * order of their sessions' starts until the next start is later than the oldest times found: a
 * run that removes one file usually stats one or two, not fifty (each a round trip on an NFS home).
 * Names without a start time (not made by s9s) are stat'ed, and `s9s history clean` stats all.
 * @module
 */
import { historyEntries, parsePartFileName, sessionStart } from "./history_dir.ts";
import { activeSessions } from "./active_sessions.ts";
import { byCodeUnit } from "../core/code_unit_order.ts";
import { SPILL_DIR, spillOwner } from "../engine/spill_dir.ts";

/** Limits for {@link cleanHistory}. */
export interface CleanOptions {
  /** Remove files last written longer ago than this (ms); 0 or undefined: no age limit. */
  maxAgeMs?: number;
  /** Keep at most this many part files (newest first); undefined: no count limit. */
  maxFiles?: number;
  /** Paths that must stay (parts being written by this process). */
  keep?: Set<string>;
  /**
   * Stat every part, as `s9s history clean` does: a file whose time was set back before its
   * session's start (`touch -d`) is then found by its time. Without it (each run's cleanup) such a
   * file goes by age once its session's start is past the limit.
   */
  everyFile?: boolean;
  /** The clock (tests). */
  now?: number;
  /** How a file's modification time is read (tests count the calls). */
  stat?: (path: string) => Promise<Deno.FileInfo>;
}

/**
 * How far a file's modification time may fall before its session's start: the start is read from
 * the writer's clock, the time set by the file system's (an NFS server's clock may be a little
 * behind). A clock off by more only moves a removal by the difference.
 */
const CLOCK_SLACK_MS = 5_000;
/** Parts stat'ed at once (an NFS round trip each). */
const STAT_BATCH = 16;

/** A part file, with a lower bound of its modification time and, once stat'ed, the time. */
interface Part {
  name: string;
  path: string;
  /** The session and part number its name gives. */
  id: string;
  part: number;
  floor: number;
  mtime?: number;
}

/** Remove what the limits say; returns the removed paths. */
export async function cleanHistory(dir: string, o: CleanOptions): Promise<string[]> {
  const now = o.now ?? Date.now();
  const stat = o.stat ?? Deno.stat;
  const removed: string[] = [];
  const { parts, others, spill } = await listDir(dir, o.everyFile);
  // Oldest session first; a session's parts in their order.
  parts.sort((a, b) => a.floor - b.floor || byCodeUnit(a.name, b.name));
  const excess = o.maxFiles === undefined ? 0 : parts.length - o.maxFiles;
  const maybeOld = (p: Part) => !!o.maxAgeMs && now - p.floor > o.maxAgeMs;
  // The parts known to be among the `excess` oldest are stat'ed; so is any that may be too old.
  const stated: Part[] = [];
  let vanished = 0;
  let next = 0;
  for (;;) {
    // A part's time is no earlier than its floor: once the `excess` oldest times known are before
    // the next part's floor, no part left can be among the oldest. Until `excess` are known, that
    // many more are taken in order.
    const limit = excess > 0 ? oldestKnown(stated, excess) : -Infinity;
    const wanted = limit === Infinity ? excess - stated.length : STAT_BATCH;
    const batch: Part[] = [];
    for (let byCount = 0; next < parts.length && batch.length < STAT_BATCH; next++) {
      const p = parts[next];
      if (p.floor <= limit && byCount < wanted) byCount++;
      else if (!maybeOld(p)) break;
      batch.push(p);
    }
    if (!batch.length) break;
    await Promise.all(batch.map(async (p) => {
      try {
        p.mtime = (await stat(p.path)).mtime?.getTime() ?? 0;
        stated.push(p);
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
        vanished++; // removed meanwhile: one fewer to remove
      }
    }));
  }
  // Oldest first by modification time (files written in the same millisecond, as a run's
  // streams' are, by name). The parts not stat'ed are younger than all of these.
  stated.sort((a, b) => a.mtime! - b.mtime! || byCodeUnit(a.name, b.name));
  const gone = stated.filter((p, i) =>
    i < excess - vanished || (!!o.maxAgeMs && now - p.mtime! > o.maxAgeMs) // count limit, age limit
  );
  const keep = new Set(o.keep);
  if (gone.some((p) => !keep.has(p.path))) {
    // The part each live recording (this or another s9s) appends to stays, whatever the limits.
    const active = await activeSessions(dir, others);
    const current = new Map<string, Part>();
    for (const p of parts) {
      if (!active.has(p.id)) continue;
      const seen = current.get(p.id);
      if (!seen || p.part > seen.part) current.set(p.id, p);
    }
    for (const c of current.values()) keep.add(c.path);
    for (const p of gone) {
      if (keep.has(p.path)) continue;
      try {
        await Deno.remove(p.path);
        removed.push(p.path);
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      }
    }
  }
  if (spill) await cleanSpill(`${dir}/${SPILL_DIR}`, o.maxAgeMs, now, removed);
  return removed;
}

/** The modification time of the `n`-th oldest of `parts` (Infinity while fewer are known). */
function oldestKnown(parts: Part[], n: number): number {
  if (parts.length < n) return Infinity;
  return parts.map((p) => p.mtime!).sort((a, b) => a - b)[n - 1];
}

/**
 * The part files of `dir` (none when it does not exist), with the lower bound of their times
 * unless `unbounded`, the names of its other files, and whether it has a spill directory (or
 * something else by that name, which cleaning reports).
 */
async function listDir(
  dir: string,
  unbounded = false,
): Promise<{ parts: Part[]; others: string[]; spill: boolean }> {
  const parts: Part[] = [];
  const others: string[] = [];
  let spill = false;
  for (const e of await historyEntries(dir)) {
    if (e.name === SPILL_DIR) spill = true;
    if (!e.isFile) continue;
    const named = parsePartFileName(e.name);
    if (!named) {
      others.push(e.name);
      continue;
    }
    const floor = unbounded ? -Infinity : startOf(e.name);
    parts.push({ name: e.name, path: `${dir}/${e.name}`, ...named, floor });
  }
  return { parts, others, spill };
}

/** The start of a part's session less the clock slack, from its name; -Infinity without one. */
function startOf(name: string): number {
  const start = sessionStart(name);
  return start === undefined ? -Infinity : start - CLOCK_SLACK_MS;
}

async function cleanSpill(
  dir: string,
  maxAgeMs: number | undefined,
  now: number,
  removed: string[],
): Promise<void> {
  try {
    for await (const e of Deno.readDir(dir)) {
      const pid = spillOwner(e.name);
      if (!e.isFile || pid === undefined) continue;
      const path = `${dir}/${e.name}`;
      let stale = pid !== Deno.pid && !(await alive(pid));
      if (!stale && maxAgeMs) {
        const st = await Deno.stat(path).catch(ifGone(undefined));
        stale = pid !== Deno.pid && !!st?.mtime && now - st.mtime.getTime() > maxAgeMs;
      }
      if (!stale) continue;
      await Deno.remove(path).then(() => removed.push(path), ifGone(undefined));
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err; // else no spill directory
  }
}

/** A rejection handler that answers `value` when the file is gone, and throws anything else. */
function ifGone<T>(value: T): (err: unknown) => T {
  return (err) => {
    if (err instanceof Deno.errors.NotFound) return value;
    throw err;
  };
}

async function alive(pid: number): Promise<boolean> {
  if (Deno.build.os !== "linux") return true; // cannot tell cheaply: keep it
  try {
    await Deno.stat(`/proc/${pid}`);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    if (err instanceof Deno.errors.PermissionDenied) return true; // hidepid: cannot tell, keep it
    throw err;
  }
}
