/**
 * Whether a followed path can still name the file it named at the last check, told by its
 * directory instead of by a stat of the path: a rename, a new file or a removal in a directory
 * changes the directory's mtime, so while the directory is as it was, so is every name in it.
 * One stat of the directory serves all its busy files in a turn of the read scheduler; fifty busy
 * files in one directory, each checked every 20 ms, cost 2,500 stats of a path a second (about a
 * tenth of s9s's CPU while they are polled) and now 50 of the directory.
 *
 * Filesystem timestamps are coarse (the kernel's tick, a few ms; Deno's FileInfo has ms): a
 * directory is trusted only if its mtime was at least {@link SETTLED_MS} old when it was taken,
 * so that a change right after cannot carry the same time. A path that is itself a symlink
 * (its target's directory is another one) is always stat'ed.
 * @module
 */
import { dirname } from "../platform/posix_path.ts";

/** How old a directory's mtime must be for it to vouch for its names, ms. */
const SETTLED_MS = 20;

interface DirState {
  ino: number | null;
  mtime: number;
  ctime: number;
}

/** The latest stat of each directory, shared by its files in the same turn. */
const recent = new Map<string, { at: number; state: DirState | undefined }>();

function dirState(dir: string): DirState | undefined {
  const now = performance.now();
  const hit = recent.get(dir);
  if (hit && now - hit.at < 1) return hit.state;
  let state: DirState | undefined;
  try {
    const st = Deno.statSync(dir);
    state = {
      ino: st.ino,
      mtime: st.mtime?.getTime() ?? NaN,
      ctime: st.ctime?.getTime() ?? NaN,
    };
  } catch {
    state = undefined;
  }
  if (recent.size > 1000) recent.clear();
  recent.set(dir, { at: now, state });
  return state;
}

/** The directory of one followed path, as it was at the path's last check. */
export class PathStamp {
  #path: string;
  #dir: string;
  #taken?: DirState;

  constructor(path: string) {
    this.#path = path;
    this.#dir = dirname(path);
  }

  /**
   * Note the directory as it is now, just before the path is stat'ed (a change after this one
   * shows in the next {@link unchanged}). Nothing is noted for a symlink or a directory that
   * changed too recently to tell.
   */
  take(): void {
    this.#taken = undefined;
    const asked = Date.now();
    const state = dirState(this.#dir);
    if (!state || !(state.mtime <= asked - SETTLED_MS) || !(state.ctime <= asked - SETTLED_MS)) {
      return;
    }
    try {
      if (Deno.lstatSync(this.#path).isSymlink) return;
    } catch {
      return;
    }
    this.#taken = state;
  }

  /** Forget what was taken (the path is stat'ed at its next check). */
  forget(): void {
    this.#taken = undefined;
  }

  /** Whether no name in the directory changed since {@link take}. */
  unchanged(): boolean {
    const t = this.#taken;
    if (!t) return false;
    const now = dirState(this.#dir);
    return now !== undefined && now.ino === t.ino && now.mtime === t.mtime &&
      now.ctime === t.ctime;
  }
}
