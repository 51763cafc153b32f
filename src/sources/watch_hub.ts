/**
 * One inotify watcher for the whole process: it watches each directory that holds a followed
 * file once, and wakes the files' sources. Deno.watchFs cannot add paths to a running watcher,
 * and each watcher costs an inotify instance, descriptors and a thread; so when the set of
 * directories changes the single watcher is replaced (once per burst of changes) and every
 * source is woken, as an event may have fallen in the gap. Where watching fails (no inotify,
 * limits reached), sources are told and rely on polling.
 * @module
 */
import { dirname, resolve } from "node:path";

type Listener = (path: string) => void;

/**
 * Filesystems where inotify sees every write (all writers are on this host). On anything else
 * (nfs, lustre, gpfs, beegfs, cifs, fuse…) writes from other hosts are invisible to inotify.
 */
const LOCAL_FS = new Set([
  "ext2",
  "ext3",
  "ext4",
  "xfs",
  "btrfs",
  "tmpfs",
  "overlay",
  "zfs",
  "f2fs",
  "reiserfs",
  "jfs",
  "ramfs",
]);

/** Mount points and filesystem types from /proc/self/mountinfo, longest mount point first. */
function readMounts(): { point: string; type: string }[] {
  let text: string;
  try {
    text = Deno.readTextFileSync("/proc/self/mountinfo");
  } catch {
    return [];
  }
  const mounts: { point: string; type: string }[] = [];
  for (const line of text.split("\n")) {
    // "36 35 98:0 /root /mnt rw,noatime master:1 - ext3 /dev/root rw" (fields before " - " vary)
    const dash = line.indexOf(" - ");
    if (dash === -1) continue;
    const point = line.split(" ")[4]?.replace(
      /\\(\d{3})/g,
      (_, o) => String.fromCharCode(parseInt(o, 8)),
    );
    const type = line.slice(dash + 3).split(" ")[0];
    if (point && type) mounts.push({ point, type });
  }
  return mounts.sort((a, b) => b.point.length - a.point.length);
}

/** The filesystem type holding `path` ("" when unknown). */
export function fsTypeOf(path: string, mounts = readMounts()): string {
  const abs = path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
  for (const m of mounts) {
    if (m.point === "/" || abs === m.point || abs.startsWith(m.point + "/")) return m.type;
  }
  return "";
}

let mountCache: { point: string; type: string }[] | undefined;

/** Whether `path` is on a local filesystem (all writers on this host; reads never stall on a server). */
export function onLocalFs(path: string): boolean {
  mountCache ??= readMounts();
  return LOCAL_FS.has(fsTypeOf(path, mountCache));
}

interface DirEntry {
  listeners: Map<string, Set<Entry>>; // by file name; "" = any
}

interface Entry {
  listener: Listener;
  onLost?: () => void;
}

/** Shares one inotify watcher between file sources. */
export class WatchHub {
  #dirs = new Map<string, DirEntry>();
  #disabled = false;
  #watcher?: Deno.FsWatcher;
  #watched = ""; // the directory set the current watcher covers, "\n"-joined
  #rebuild?: ReturnType<typeof setTimeout>;

  constructor(enabled = true) {
    this.#disabled = !enabled;
  }

  /** Whether a watcher is running (for tests and debugging). */
  get watching(): number {
    return this.#watcher ? this.#dirs.size : 0;
  }

  /**
   * Call `listener` when something happens to `file` in `dir` (or to anything in `dir` when
   * file is ""); `onLost` when the watch dies or cannot be set (rely on polling then).
   * Returns an unsubscribe function, or undefined when watching is off.
   */
  watch(
    dir: string,
    file: string,
    listener: Listener,
    onLost?: () => void,
  ): (() => void) | undefined {
    if (this.#disabled) return undefined;
    const key = resolve(dir);
    let de = this.#dirs.get(key);
    if (!de) {
      this.#dirs.set(key, de = { listeners: new Map() });
      this.#schedule();
    }
    let set = de.listeners.get(file);
    if (!set) de.listeners.set(file, set = new Set());
    const entry: Entry = { listener, onLost };
    set.add(entry);
    const d = de;
    return () => {
      set!.delete(entry);
      if (set!.size === 0) d.listeners.delete(file);
      if (d.listeners.size === 0 && this.#dirs.get(key) === d) {
        this.#dirs.delete(key);
        this.#schedule();
      }
    };
  }

  /** Replace the watcher once the current burst of watch/unwatch calls is over. */
  #schedule(): void {
    if (this.#rebuild !== undefined) return;
    this.#rebuild = setTimeout(() => {
      this.#rebuild = undefined;
      this.#replace();
    }, 0);
  }

  #replace(): void {
    const dirs = [...this.#dirs.keys()].sort();
    const want = dirs.join("\n");
    if (want === this.#watched && this.#watcher) return;
    const old = this.#watcher;
    this.#watcher = undefined;
    this.#watched = "";
    if (dirs.length > 0) {
      try {
        const w = Deno.watchFs(dirs, { recursive: false });
        this.#watcher = w;
        this.#watched = want;
        this.#pump(w);
      } catch {
        this.#lost();
      }
    }
    try {
      old?.close();
    } catch { /* already closed */ }
    // An event may have come between the old watcher's end and the new one's start.
    if (old && this.#watcher) this.#each((e) => e.listener(""));
  }

  #each(fn: (e: Entry) => void): void {
    for (const de of this.#dirs.values()) {
      for (const set of de.listeners.values()) for (const e of set) fn(e);
    }
  }

  /** The watch is gone (or never came): every source polls. */
  #lost(): void {
    this.#each((e) => e.onLost?.());
  }

  async #pump(w: Deno.FsWatcher): Promise<void> {
    try {
      for await (const ev of w) {
        for (const p of ev.paths) {
          const de = this.#dirs.get(dirname(p)) ?? this.#dirs.get(p);
          if (!de) continue;
          const name = p.slice(p.lastIndexOf("/") + 1);
          de.listeners.get(name)?.forEach((e) => e.listener(p));
          de.listeners.get("")?.forEach((e) => e.listener(p));
        }
      }
    } catch {
      // The watch died (limits, a watched directory removed): fall back to polling.
      if (this.#watcher === w) {
        this.#watcher = undefined;
        this.#watched = "";
        this.#lost();
      }
    }
  }

  /**
   * Whether inotify sees every write to `path`: watching is on and the file lives on a local
   * filesystem. Then polling is only a safety net and can be slow.
   */
  seesAllWrites(path: string): boolean {
    return !this.#disabled && onLocalFs(path);
  }

  /** Close the watcher. */
  close(): void {
    if (this.#rebuild !== undefined) clearTimeout(this.#rebuild);
    this.#rebuild = undefined;
    try {
      this.#watcher?.close();
    } catch { /* ignore */ }
    this.#watcher = undefined;
    this.#watched = "";
    this.#dirs.clear();
  }
}
