/**
 * One inotify watcher for the whole process: it watches each directory that holds a followed
 * file once, and wakes the files' sources. Deno.watchFs cannot add paths to a running watcher,
 * and each watcher costs an inotify instance, descriptors and a thread; so when the set of
 * directories changes the single watcher is replaced (once per burst of changes) and every
 * source is woken, as an event may have fallen in the gap. Where watching fails (no inotify,
 * limits reached), sources are told and rely on polling.
 * @module
 */
import { basename, dirname, resolve } from "../platform/posix_path.ts";

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
    // Blanks and backslashes in a mount point are octal escapes (`\040`); few have any.
    const field = line.split(" ")[4];
    const point = field?.includes("\\")
      ? field.replace(/\\(\d{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)))
      : field;
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

/**
 * A directory left without listeners stays in the watcher this long (or until the watcher is
 * replaced for another reason): a busy file's pacer that drops its watch and takes it back
 * within a burst then costs no new watcher, ms. The last directory goes at once.
 */
const SHRINK_AFTER_MS = 1000;

/**
 * Wake `wake` on every event for the file at `path`, through `hub`, with the subscription held
 * by `pacer` (which drops it while the file is busy and takes it again once quiet; either way it
 * is one entry in the hub's single watcher, no descriptor of its own). `lost`: the watch died or
 * could not be set. Returns whether inotify sees every write to the file (then polling is only
 * a safety net).
 */
export function watchFile(
  hub: WatchHub,
  path: string,
  pacer: { watch(subscribe: () => (() => void) | undefined, mayDrop: boolean): boolean },
  wake: () => void,
  lost: () => void,
): boolean {
  try {
    // inotify events on a FIFO make Deno's watcher hang the process at exit; a FIFO read
    // blocks until data comes anyway, so it needs no wake-ups.
    if (Deno.statSync(path).isFifo) return false;
  } catch { /* not there yet */ }
  const all = hub.seesAllWrites(path);
  const watching = pacer.watch(() => hub.watch(dirname(path), basename(path), wake, lost), all);
  return watching && all;
}

/** Shares one inotify watcher between file sources. */
export class WatchHub {
  #dirs = new Map<string, DirEntry>();
  #disabled = false;
  #watcher?: Deno.FsWatcher;
  #covered = new Set<string>(); // the directories the current watcher covers
  #dead = false; // the last watcher died or could not be started: sources poll
  #rebuild?: ReturnType<typeof setTimeout>;
  #rebuildAt = Infinity;
  #started = 0;

  constructor(enabled = true) {
    this.#disabled = !enabled;
  }

  /** How many directories with listeners the running watcher covers (tests, debugging). */
  get watching(): number {
    if (!this.#watcher) return 0;
    let n = 0;
    for (const d of this.#dirs.keys()) if (this.#covered.has(d)) n++;
    return n;
  }

  /** How many watchers were started so far (tests, debugging). */
  get started(): number {
    return this.#started;
  }

  /**
   * Call `listener` when something happens to `file` in `dir` (or to anything in `dir` when
   * file is ""); `onLost` when the watch dies or cannot be set (rely on polling then).
   * Returns an unsubscribe function, or undefined when watching is off. Subscribing again to a
   * directory the watcher still covers (a read pacer taking its watch back) costs nothing.
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
    if (!de) this.#dirs.set(key, de = { listeners: new Map() });
    // A directory the watcher does not cover (new, or dropped after a failure): a new watcher.
    if (!this.#watcher || !this.#covered.has(key)) this.#schedule(0);
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
        this.#schedule(this.#dirs.size === 0 ? 0 : SHRINK_AFTER_MS);
      }
    };
  }

  /** Replace the watcher within `ms` (0: once the current burst of watch calls is over). */
  #schedule(ms: number): void {
    const at = performance.now() + ms;
    if (this.#rebuild !== undefined) {
      if (this.#rebuildAt <= at) return;
      clearTimeout(this.#rebuild);
    }
    this.#rebuildAt = at;
    this.#rebuild = setTimeout(() => {
      this.#rebuild = undefined;
      this.#rebuildAt = Infinity;
      this.#replace();
    }, ms);
  }

  #replace(): void {
    // A directory that is not there (yet) cannot be watched, and would fail the whole watcher:
    // its sources poll.
    const missing: string[] = [];
    const dirs = [...this.#dirs.keys()].filter((d) => {
      try {
        if (Deno.statSync(d).isDirectory) return true;
      } catch { /* not there */ }
      missing.push(d);
      return false;
    });
    for (const d of missing) this.#each((e) => e.onLost?.(), d);
    if (
      this.#watcher && dirs.length === this.#covered.size && dirs.every((d) => this.#covered.has(d))
    ) return;
    const old = this.#watcher;
    this.#watcher = undefined;
    this.#covered = new Set();
    if (dirs.length > 0) {
      try {
        const w = Deno.watchFs(dirs, { recursive: false });
        this.#watcher = w;
        this.#started++;
        this.#covered = new Set(dirs);
        this.#dead = false;
        this.#pump(w);
      } catch {
        this.#dead = true;
      }
    }
    try {
      old?.close();
    } catch { /* already closed */ }
    if (this.#dead) this.#lost();
    // Every listener subscribed before this watcher started: a write since (or between the
    // old watcher's end and this one's start) has no event. One wake each.
    if (this.#watcher) this.#each((e) => e.listener(""));
  }

  #each(fn: (e: Entry) => void, dir?: string): void {
    const dirs = dir === undefined ? this.#dirs.values() : [this.#dirs.get(dir)];
    for (const de of dirs) {
      if (de) { for (const set of de.listeners.values()) for (const e of set) fn(e); }
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
          // A watched directory removed is watched no more (one made again needs a new watch).
          if (ev.kind === "remove") this.#covered.delete(p);
          const de = this.#dirs.get(dirname(p)) ?? this.#dirs.get(p);
          if (!de) continue; // a directory kept only until the next shrink
          const name = basename(p);
          de.listeners.get(name)?.forEach((e) => e.listener(p));
          de.listeners.get("")?.forEach((e) => e.listener(p));
        }
      }
    } catch {
      // The watch died (limits): fall back to polling, below.
    }
    if (this.#watcher === w) {
      this.#watcher = undefined;
      this.#covered = new Set();
      this.#dead = true;
      this.#lost();
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
    this.#rebuildAt = Infinity;
    const w = this.#watcher;
    this.#watcher = undefined;
    this.#covered = new Set();
    try {
      w?.close();
    } catch { /* ignore */ }
    this.#dirs.clear();
  }
}
