/**
 * Which file a follower holds, and whether its path still names it: the held file's identity
 * (inode, birth time, when it was last seen at the path) and the checks of the path — by the
 * follower's loop, and between them by its scheduled turns while data keeps coming, where a busy
 * file's directory vouches for the name while no entry in it changed (path_stamp.ts).
 * @module
 */
import type { Generation } from "./generations.ts";
import { PathStamp } from "./path_stamp.ts";

/**
 * Longest time between two checks of the path's identity while data keeps coming, ms. A stat
 * after every read cost 50 busy files about as much CPU again as the reads themselves (Deno
 * builds a FileInfo with four Dates each time); every 20 ms costs next to nothing.
 */
export const IDENTITY_CHECK_MS = 20;

/** What a scheduled turn's check of the path found. */
export type QuickCheck = "same" | "grew" | "other";

/** The file a follower reads, as the path named it. */
export class HeldFile {
  readonly path: string;
  /** Inode of the file read (null: none held, or not known). */
  ino: number | null = null;
  /** Birth time of the file read, ms (null: not kept by the filesystem). */
  birth: number | null = null;
  /** When the file read was last seen at the path (Date.now()). */
  seenAtPath = 0;
  /** The last check found nothing at the path (moved away, not recreated yet). */
  gone = false;
  #checkedAt = 0; // performance.now() of the last check
  #stamp: PathStamp;

  constructor(path: string) {
    this.path = path;
    this.#stamp = new PathStamp(path);
  }

  /** A file was opened at the path; `asked`: Date.now() taken before the open. */
  opened(st: Deno.FileInfo, asked: number): void {
    this.ino = st.ino;
    this.birth = st.birthtime?.getTime() ?? null;
    this.seenAtPath = asked;
  }

  /** A generation taken when the file rotated is read now. */
  adopted(gen: Generation): void {
    this.#stamp.forget();
    this.ino = gen.ino;
    this.birth = gen.birth;
    this.seenAtPath = gen.seenAtPath;
  }

  /** No file is held any more. */
  released(): void {
    this.#stamp.forget();
    this.ino = null;
  }

  /** Whether the path is due for a check while data keeps coming. */
  get due(): boolean {
    return performance.now() - this.#checkedAt >= IDENTITY_CHECK_MS;
  }

  /** A check starts now; returns Date.now() taken before it (for {@link seen}). */
  checking(): number {
    this.#checkedAt = performance.now();
    return Date.now();
  }

  /** Whether `st`, the path's stat, is another file than the one held. */
  isOther(st: Deno.FileInfo): boolean {
    return this.ino !== null && st.ino !== null && st.ino !== this.ino;
  }

  /** The held file was found at the path by the check started at `asked`. */
  seen(asked: number): void {
    this.gone = false;
    this.seenAtPath = asked;
  }

  /**
   * A scheduled turn's check, synchronous: "other" when the path names another file or nothing
   * (the loop's own check tells which), "grew" when the file at the path is longer than `pos`,
   * else "same". For a `busy` file an unchanged directory answers "same" without a stat.
   */
  checkSync(busy: boolean, pos: number, cleared: () => void): QuickCheck {
    const asked = this.checking();
    if (busy && this.#stamp.unchanged()) {
      this.seenAtPath = asked;
      return "same";
    }
    // Taken before the stat: a change after it shows at the next check.
    if (busy) this.#stamp.take();
    else this.#stamp.forget();
    let st: Deno.FileInfo;
    try {
      st = Deno.statSync(this.path);
    } catch {
      this.#stamp.forget();
      return "other";
    }
    if (this.isOther(st)) {
      this.#stamp.forget();
      return "other";
    }
    cleared();
    this.seen(asked);
    return st.size > pos ? "grew" : "same";
  }
}
