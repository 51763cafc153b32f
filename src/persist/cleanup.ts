/**
 * History cleanup: remove part files older than the age limit, then the oldest beyond the count
 * limit; and spill files left behind by processes that are gone.
 * @module
 */
import { listPartFiles, parsePartFileName } from "./history_dir.ts";
import { activeSessions } from "./active_sessions.ts";
import { byCodeUnit } from "../core/code_unit_order.ts";

/** Limits for {@link cleanHistory}. */
export interface CleanOptions {
  /** Remove files last written longer ago than this (ms); 0 or undefined: no age limit. */
  maxAgeMs?: number;
  /** Keep at most this many part files (newest first); undefined: no count limit. */
  maxFiles?: number;
  /** Paths that must stay (parts being written by this process). */
  keep?: Set<string>;
  /** The clock (tests). */
  now?: number;
}

/** Remove what the limits say; returns the removed paths. */
export async function cleanHistory(dir: string, o: CleanOptions): Promise<string[]> {
  const now = o.now ?? Date.now();
  const keep = new Set(o.keep);
  const removed: string[] = [];
  // Newest first (files written in the same millisecond, as a run's streams' are, by name).
  const files = (await listPartFiles(dir)).sort((a, b) =>
    b.mtime - a.mtime || byCodeUnit(b.name, a.name)
  );
  const mayRemove = (o.maxFiles !== undefined && files.length > o.maxFiles) ||
    (!!o.maxAgeMs && files.some((f) => now - f.mtime > o.maxAgeMs!));
  if (!mayRemove) {
    // Within the limits (most runs): no file to remove, so no need to read who records what.
    await cleanSpill(`${dir}/spill`, o.maxAgeMs, now, removed);
    return removed;
  }
  // The part each live recording (this or another s9s) appends to stays, whatever the limits.
  const active = await activeSessions(dir);
  const current = new Map<string, { part: number; path: string }>();
  for (const f of files) {
    const p = parsePartFileName(f.name);
    if (!p || !active.has(p.id)) continue;
    const seen = current.get(p.id);
    if (!seen || p.part > seen.part) current.set(p.id, { part: p.part, path: f.path });
  }
  for (const c of current.values()) keep.add(c.path);
  let kept = 0;
  for (const f of files) {
    const tooOld = !!o.maxAgeMs && now - f.mtime > o.maxAgeMs;
    const tooMany = o.maxFiles !== undefined && kept >= o.maxFiles;
    if (keep.has(f.path) || !(tooOld || tooMany)) {
      kept++;
      continue;
    }
    try {
      await Deno.remove(f.path);
      removed.push(f.path);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  }
  await cleanSpill(`${dir}/spill`, o.maxAgeMs, now, removed);
  return removed;
}

async function cleanSpill(
  dir: string,
  maxAgeMs: number | undefined,
  now: number,
  removed: string[],
): Promise<void> {
  try {
    for await (const e of Deno.readDir(dir)) {
      const m = /^(\d+)-.*\.gz$/.exec(e.name);
      if (!e.isFile || !m) continue;
      const path = `${dir}/${e.name}`;
      const pid = Number(m[1]);
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
