/**
 * One inotify watch per directory, shared by every file followed in it. Where watching fails
 * (no inotify, limits reached, NFS), callers simply rely on polling.
 * @module
 */

type Listener = (path: string) => void;

interface DirWatch {
  watcher: Deno.FsWatcher;
  listeners: Map<string, Set<Listener>>; // by file name; "" = any
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
    if (!set) dw.listeners.set(file, (set = new Set()));
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
          const name = p.slice(p.lastIndexOf("/") + 1);
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
