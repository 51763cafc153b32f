/**
 * One inotify watch per directory, shared by every file followed in it. Where watching fails
 * (no inotify, limits reached, NFS), callers simply rely on polling.
 * @module
 */
import { basename } from "node:path";

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

interface DirWatch {
  watcher: Deno.FsWatcher;
  listeners: Map<string, Set<Listener>>; // by file name; "" = any
}

let mountCache: { point: string; type: string }[] | undefined;

/** Whether `path` is on a local filesystem (all writers on this host; reads never stall on a server). */
export function onLocalFs(path: string): boolean {
  mountCache ??= readMounts();
  return LOCAL_FS.has(fsTypeOf(path, mountCache));
}

/** Shares directory watches between file sources. */
export class WatchHub {
  #dirs = new Map<string, DirWatch>();
  #disabled = false;

  constructor(enabled = true) {
    this.#disabled = !enabled;
  }

  /**
   * Call `listener` when something happens to `file` (or to anything in `dir` when file is "").
   * Returns an unsubscribe function, or undefined when no watch could be set.
   */
  watch(dir: string, file: string, listener: Listener): (() => void) | undefined {
    if (this.#disabled) return undefined;
    let dw = this.#dirs.get(dir);
    if (!dw) {
      let watcher: Deno.FsWatcher;
      try {
        watcher = Deno.watchFs(dir, { recursive: false });
      } catch {
        return undefined;
      }
      dw = { watcher, listeners: new Map() };
      this.#dirs.set(dir, dw);
      this.#pump(dir, dw);
    }
    let set = dw.listeners.get(file);
    if (!set) dw.listeners.set(file, set = new Set());
    set.add(listener);
    const d = dw;
    return () => {
      set!.delete(listener);
      if (set!.size === 0) d.listeners.delete(file);
      if (d.listeners.size === 0) {
        this.#dirs.delete(dir);
        try {
          d.watcher.close();
        } catch { /* already closed */ }
      }
    };
  }

  async #pump(dir: string, dw: DirWatch): Promise<void> {
    try {
      for await (const ev of dw.watcher) {
        for (const p of ev.paths) {
          const name = basename(p);
          dw.listeners.get(name)?.forEach((l) => l(p));
          dw.listeners.get("")?.forEach((l) => l(p));
        }
      }
    } catch {
      // The watch died (directory removed, limits): sources fall back to polling.
    } finally {
      if (this.#dirs.get(dir) === dw) this.#dirs.delete(dir);
    }
  }

  /**
   * Whether inotify sees every write to `path`: watching is on and the file lives on a local
   * filesystem. Then polling is only a safety net and can be slow.
   */
  seesAllWrites(path: string): boolean {
    return !this.#disabled && onLocalFs(path);
  }

  /** Close every watch. */
  close(): void {
    for (const dw of this.#dirs.values()) {
      try {
        dw.watcher.close();
      } catch { /* ignore */ }
    }
    this.#dirs.clear();
  }
}
