/**
 * Sessions being recorded right now, by any s9s: each recording process keeps a small marker file
 * in the history directory (`.active-HOST-PID`, one session id a line) while it records, so that
 * another process's cleanup (the count limit, `history clean --older-than 0s`) never deletes the
 * part a recording is still appending to. A marker whose process is gone (same host) is stale.
 * @module
 */

const PREFIX = ".active-";

function markerPath(dir: string): string {
  return `${dir}/${PREFIX}${Deno.hostname()}-${Deno.pid}`;
}

/** Say which sessions this process records now (none: the marker goes). Best effort. */
export async function markActiveSessions(dir: string, ids: Iterable<string>): Promise<void> {
  const list = [...ids];
  try {
    if (list.length === 0) await Deno.remove(markerPath(dir));
    else await Deno.writeTextFile(markerPath(dir), list.join("\n") + "\n", { mode: 0o600 });
  } catch { /* no directory, or already gone: nothing to protect */ }
}

/** The session ids any live s9s records in `dir`; stale markers of this host are removed. */
export async function activeSessions(dir: string): Promise<Set<string>> {
  const ids = new Set<string>();
  const host = Deno.hostname();
  try {
    for await (const e of Deno.readDir(dir)) {
      if (!e.isFile || !e.name.startsWith(PREFIX)) continue;
      const rest = e.name.slice(PREFIX.length);
      const cut = rest.lastIndexOf("-");
      const pid = Number(rest.slice(cut + 1));
      const path = `${dir}/${e.name}`;
      // Another host's process cannot be checked from here: its marker is believed.
      if (rest.slice(0, cut) === host && pid !== Deno.pid && !alive(pid)) {
        await Deno.remove(path).catch(() => {});
        continue;
      }
      const text = await Deno.readTextFile(path).catch(() => "");
      for (const id of text.split("\n")) if (id) ids.add(id);
    }
  } catch { /* no directory */ }
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
