/**
 * Sessions being recorded right now, by any s9s: each recording process keeps a small marker file
 * in the history directory (`.active-HOST-PID`, one session id a line) while it records, so that
 * another process's cleanup (the count limit, `history clean --older-than 0s`) never deletes the
 * part a recording is still appending to. It is written before a session's first part file
 * appears (a session whose only write is its last needs none). A marker whose process is gone
 * (same host) is stale.
 * @module
 */
import { writeAll } from "../platform/write_all.ts";

const PREFIX = ".active-";

function markerPath(dir: string): string {
  return `${dir}/${PREFIX}${Deno.hostname()}-${Deno.pid}`;
}

/**
 * Say which sessions this process records now (none: the marker goes). Best effort. Returns
 * whether a marker is on disk.
 */
async function writeMarker(dir: string, list: string[]): Promise<boolean> {
  const path = markerPath(dir);
  try {
    if (list.length === 0) {
      await Deno.remove(path);
      return false;
    }
    // Written aside and renamed over: a reader never sees a marker half written (or empty).
    // Not Deno.writeTextFile: it checks for a ReadableStream, which loads the runtime's web
    // streams (≈ 2.5 ms of a short run); a marker is a line or two.
    const file = await Deno.open(`${path}.tmp`, {
      write: true,
      create: true,
      truncate: true,
      mode: 0o600,
    });
    try {
      await writeAll(file, new TextEncoder().encode(list.join("\n") + "\n"));
    } finally {
      file.close();
    }
    await Deno.rename(`${path}.tmp`, path);
    return true;
  } catch {
    return false; // no directory, or already gone: nothing to protect
  }
}

/**
 * This process's marker in one history directory. Updates are written one at a time, the
 * latest set last: twenty streams starting together cost one or two writes, not twenty
 * concurrent ones (each a descriptor, finishing in any order, an older set possibly last).
 */
export class ActiveMarker {
  #dir: string;
  #latest?: string[];
  #writing?: Promise<void>;
  /** Whether the marker may be on disk (nothing to remove before the first write). */
  #written = false;

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** Record `ids` as the sessions being recorded now; resolves once they (or a newer set) are on disk. */
  update(ids: Iterable<string>): Promise<void> {
    this.#latest = [...ids];
    this.#writing ??= this.#drain();
    return this.#writing;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#latest) {
        const list = this.#latest;
        this.#latest = undefined;
        if (list.length === 0 && !this.#written) continue;
        const ok = await writeMarker(this.#dir, list);
        // A failed update leaves whatever marker was there (the next update or close retries).
        this.#written = ok || (list.length > 0 && this.#written);
      }
    } finally {
      this.#writing = undefined;
    }
  }
}

/**
 * The session ids any live s9s records in `dir`, whose files' `names` the caller has just listed;
 * stale markers of this host are removed.
 */
export async function activeSessions(dir: string, names: string[]): Promise<Set<string>> {
  const ids = new Set<string>();
  const host = Deno.hostname();
  for (const name of names) {
    if (!name.startsWith(PREFIX) || name.endsWith(".tmp")) continue;
    const rest = name.slice(PREFIX.length);
    const cut = rest.lastIndexOf("-");
    const pid = Number(rest.slice(cut + 1));
    const path = `${dir}/${name}`;
    // Another host's process cannot be checked from here: its marker is believed.
    if (rest.slice(0, cut) === host && pid !== Deno.pid && !alive(pid)) {
      await Deno.remove(path).catch(() => {});
      continue;
    }
    const text = await Deno.readTextFile(path).catch(() => "");
    for (const id of text.split("\n")) if (id) ids.add(id);
  }
  return ids;
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (Deno.build.os !== "linux") return true; // cannot tell cheaply: believe it
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}
