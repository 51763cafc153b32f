/**
 * The generations of a rotated file. A writer that renames its file away and starts a new one
 * (logrotate's `create`, Python's RotatingFileHandler, dateext) may do so faster than anyone
 * looks at the path: under load a generation can live a few milliseconds. Each generation is
 * still in the directory for a while under its rotated name (`job.out.1`, `job.out-20261206`);
 * a numbered name, else its birth time, says where it stands in the sequence. So when the path's
 * file changes, the directory is searched for every generation born since the one being read,
 * each is opened (the descriptor then holds it, whatever it is renamed to next) and they are read
 * oldest first.
 *
 * A generation is known by its inode and birth time together: an inode number alone is reused
 * as soon as a rotated file is deleted.
 * @module
 */
import { byCodeUnit } from "../core/code_unit_order.ts";
import { basename, dirname } from "../platform/posix_path.ts";
import { acquireFileFd, releaseFileFd } from "../platform/rlimit.ts";

/** One generation of the followed file, opened. */
export interface Generation {
  file: Deno.FsFile;
  ino: number | null;
  /** Birth time, ms (null where the filesystem does not keep it). */
  birth: number | null;
  /** The name it had when it was opened (for messages). */
  name: string;
  /** When it was known to be at the path (Date.now(); its birth if found renamed). */
  seenAtPath: number;
}

/** The generation being read, as {@link Generations.collect} needs it. */
export interface Current {
  ino: number | null;
  birth: number | null;
  /** When it was last seen at the path (Date.now()). */
  lastSeenAtPath: number;
}

interface Candidate {
  name: string;
  birth: number;
  rank: number;
  id: string;
}

/** How far file birth times may lag the real clock (the kernel's coarse clock: one tick), ms. */
const CLOCK_MARGIN_MS = 10;
/**
 * Directory readings while a rotation goes on: at least this many, and more for up to
 * {@link STABLE_MS}, until two agree. A reading looks at numbered names oldest first (`.9`, `.8`,
 * … `.1`), the order in which a writer shifts them (`.8` to `.9` before `.7` to `.8`): a name
 * looked at after another is never held by an older generation, so a reading that meets a shift
 * may miss a generation (it moved up past the look) but never swaps two. Two readings that agree
 * missed none. Readings that never agree are not used: nothing is taken on them, and the follower
 * keeps reading the generation it holds and looks again (CI saw line 502 after 601, then 552 after
 * 651, in a burst of twenty rotations while readings in the directory's own order were used).
 */
const MIN_SCANS = 10;
const STABLE_MS = 25;
/** Looks at the directory for one collection (each ends when the path's file changed meanwhile). */
const PASSES = 5;
/** A scan of nothing (a filesystem without birth times: only the path is looked at). */
const STILL = { found: [], stable: true } as const;
/** At most this many generations are held open ahead of the one being read. */
const MAX_AHEAD = 32;
/** Identities of generations already read that are remembered (never read twice). */
const MAX_SEEN = 256;
/** Rotated names that hold compressed data: their lines cannot be read as they are. */
const COMPRESSED = /\.(gz|bz2|xz|zst|lz4|lzma|Z|zip)$/;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The status when the generation being read was deleted before the next was seen: the rotation
 * went past it, so generations between it and the oldest still there (`oldest`) may be gone.
 */
export function rotatedPast(path: string, oldest: string): string {
  return `"${path}" rotated faster than s9s looked: generations older than "${oldest}" may have ` +
    `been deleted unread (keep more rotated files, or poll more often)`;
}

/**
 * Said once while a followed file's rotated names keep shifting through every look (a burst of
 * rotations no two directory readings agree on): the follower reads on in the generation it holds.
 */
export function rotationStillShifting(path: string, looks: number): string {
  return `"${path}" is being rotated faster than its rotated names can be read in order ` +
    `(${looks} looks in a row found them moving): reading on in the current file until they hold still`;
}

/**
 * The status when the stream ends while a burst of rotations still shifts the names: the
 * generations after the one read are not read.
 */
export function rotationUnderWay(path: string): string {
  return `"${path}" was still being rotated when its stream ended: generations after the one ` +
    `read are not read`;
}

/** A generation that could not be opened, and why ("permission denied"). */
export interface Unreadable {
  name: string;
  reason: string;
}

/** The status when a generation after the one read could not be opened: its lines are skipped. */
export function unreadableGeneration(path: string, u: Unreadable): string {
  return `"${path}" rotated: the generation now named "${u.name}" cannot be read (${u.reason}); ` +
    `its lines are skipped`;
}

/** Why a file could not be opened, in a few words ("permission denied", "input/output error"). */
function reasonOf(err: unknown): string {
  if (err instanceof Deno.errors.PermissionDenied) return "permission denied";
  const text = (err instanceof Error ? err.message : String(err)).replace(/ \(os error.*$/s, "");
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** The identity of a file: inode and birth time. */
export function identityOf(st: Deno.FileInfo): string {
  return `${st.ino}:${st.birthtime?.getTime() ?? ""}`;
}

/**
 * Rank of a numbered rotated name: a higher number is an older generation (`.2` was `.1`
 * before), so `.2` ranks -2, below `.1`. NaN for other names (`-20261206`, a date).
 */
function rankOf(name: string, base: string): number {
  const m = /^[.\-_](\d{1,4})$/.exec(name.slice(base.length)); // 8 digits: a date, not a count
  return m ? -Number(m[1]) : NaN;
}

/** The filesystem calls a collection makes: synchronous on a local disk, else asynchronous. */
export interface FsIo {
  names(dir: string): Promise<string[]>;
  stat(path: string): Promise<Deno.FileInfo>;
  open(path: string): Promise<Deno.FsFile>;
  fstat(file: Deno.FsFile): Promise<Deno.FileInfo>;
}

/**
 * Local files: a page-cache call is cheaper than an async op's round trip, and a fast rotation
 * is best looked at in one go.
 */
export const SYNC_IO: FsIo = {
  names: (dir) => Promise.resolve([...Deno.readDirSync(dir)].map((e) => e.name)),
  stat: (path) => Promise.resolve(Deno.statSync(path)),
  open: (path) => Promise.resolve(Deno.openSync(path, { read: true })),
  fstat: (file) => Promise.resolve(file.statSync()),
};

/** NFS, Lustre…: a server that hangs must not stop the process (the other streams, the TUI). */
const ASYNC_IO: FsIo = {
  names: async (dir) => {
    const names: string[] = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    return names;
  },
  stat: (path) => Deno.stat(path),
  open: (path) => Deno.open(path, { read: true }),
  fstat: (file) => file.stat(),
};

/** Generations waiting to be read after the current one, and those read already. */
export class Generations {
  readonly path: string;
  #dir: string;
  #base: string;
  #rotated: RegExp;
  #ahead: Generation[] = [];
  #seen: string[] = [];
  #seenSet = new Set<string>();
  #io: FsIo;
  #closed = false;
  /** Rotated names passed over since the last {@link takeUnreadable}: they cannot be opened. */
  #unreadable: Unreadable[] = [];

  /**
   * `local`: the file is on a local disk (synchronous calls are safe and faster). `io` replaces
   * the filesystem calls (tests: a rotation between two of them).
   */
  constructor(path: string, local = true, io?: FsIo) {
    this.path = path;
    this.#io = io ?? (local ? SYNC_IO : ASYNC_IO);
    this.#dir = dirname(path);
    this.#base = basename(path);
    // `job.out.1`, `job.out-20261206`, `job.out.2026-12-06_10-00`, `job.out_3` …
    this.#rotated = new RegExp(`^${escapeRe(this.#base)}[.\\-_]\\d`);
  }

  /**
   * Rotated generations found since the last call that could not be opened (permission, an I/O
   * error): their lines are not read, and the caller says so. Each is named once.
   */
  takeUnreadable(): Unreadable[] {
    const names = this.#unreadable;
    this.#unreadable = [];
    return names;
  }

  /** Generations opened and waiting. */
  get waiting(): number {
    return this.#ahead.length;
  }

  /** Remember a generation as read (or being read): it is never taken again. */
  seen(st: Deno.FileInfo): void {
    this.#remember(identityOf(st));
  }

  #remember(id: string): void {
    if (this.#seenSet.has(id)) return;
    this.#seenSet.add(id);
    this.#seen.push(id);
    if (this.#seen.length > MAX_SEEN) this.#seenSet.delete(this.#seen.shift()!);
  }

  /** The oldest generation waiting, if any (its descriptor now belongs to the caller). */
  next(): Generation | undefined {
    const gen = this.#ahead.shift();
    if (gen) this.#remember(`${gen.ino}:${gen.birth ?? ""}`);
    return gen;
  }

  /**
   * The path's file is no longer `current` (the generation being read): open every generation
   * born since it that is still in the directory, the path's own file last. The directory is read
   * again (up to five times) when a generation moved between reading a name and opening it, or
   * the path's file changed meanwhile.
   * Returns the rotated name of the oldest generation found, if any, and whether the collection
   * settled: when the names never held still long enough to be read (a burst of rotations that
   * went on through every look), what is taken so far is in order but later generations may be
   * missing; the caller keeps reading what it holds and asks again.
   */
  async collect(current: Current): Promise<{ oldest?: string; settled: boolean }> {
    let oldest: string | undefined;
    for (let pass = 0; pass < PASSES; pass++) {
      // The path's file before and after: another one there meanwhile means the one before
      // moved to a rotated name, where this pass may not have looked yet.
      const before = await this.#atPath();
      let missed = false;
      // Names that would not hold still (a burst of rotations): none is taken on them.
      const scan = current.birth !== null ? await this.#stableScan(current) : STILL;
      if (!scan.stable) missed = true;
      else {
        for (const f of scan.found) {
          oldest ??= f.name;
          if (await this.#take(`${this.#dir}/${f.name}`, f.name, f.rank, f.id)) continue;
          // It moved on (a rotation is shifting the names): the younger ones wait for the next
          // pass, which finds it under its new name. Taken now, they would be read before it.
          missed = true;
          break;
        }
      }
      const after = await this.#atPath();
      if (missed || after !== before) continue;
      // The path's file last, and only the one this pass saw there (else it may be younger
      // than one that moved away meanwhile, which the next pass finds).
      if (after === "" || await this.#take(this.path, this.#base, Infinity, after)) {
        return { oldest, settled: true };
      }
    }
    return { oldest, settled: false };
  }

  /** The identity of the file at the path now ("" when there is none). */
  async #atPath(): Promise<string> {
    try {
      return identityOf(await this.#io.stat(this.path));
    } catch {
      return "";
    }
  }

  /**
   * {@link #scan}, repeated until two readings of the directory agree (see {@link MIN_SCANS}; a
   * fraction of a millisecond each on a local disk): the order of generations born in the same
   * clock tick comes from their names, which a writer shifting `.1` to `.2` meanwhile would
   * scramble. Then those younger than the current generation, oldest first, and whether two
   * readings agreed.
   */
  async #stableScan(current: Current): Promise<{ found: Candidate[]; stable: boolean }> {
    let seen: { found: Candidate[]; currentRank: number } = { found: [], currentRank: NaN };
    let last: string | undefined;
    let stable = false;
    const began = performance.now();
    for (let i = 0; i < MIN_SCANS || performance.now() - began < STABLE_MS; i++) {
      seen = await this.#scan(current);
      const sig = `${seen.currentRank}/` + seen.found.map((f) => `${f.name}=${f.id}`).join("/");
      if (sig === last) {
        stable = true;
        break;
      }
      last = sig;
    }
    const { found, currentRank } = seen;
    // Numbered names tell the order for sure (birth times only to within a tick): with the
    // current generation under one, those with a lower number are younger, the others older.
    const numbered = (f: Candidate) => !Number.isNaN(f.rank) && !Number.isNaN(currentRank);
    const ordered = found.filter((f) => numbered(f) ? f.rank > currentRank : true)
      .sort((a, b) =>
        !Number.isNaN(a.rank) && !Number.isNaN(b.rank)
          ? a.rank - b.rank
          : a.birth - b.birth || byCodeUnit(a.name, b.name)
      );
    return { found: ordered, stable };
  }

  /**
   * Rotated names in the directory holding generations born since `current` (to within the
   * clock's margin) not read or taken yet, and the rank of the current generation's name.
   */
  async #scan(current: Current): Promise<{ found: Candidate[]; currentRank: number }> {
    const since = current.birth!;
    // A file born while the current generation was still at the path is no generation that
    // followed it (logrotate's copytruncate makes such copies): born at least that late. Birth
    // times come from the kernel's clock, coarse (a tick, 4 ms) for some files and fine for
    // others: two files born within a tick may carry them in either order, hence the margin.
    const after = Math.max(since, current.lastSeenAtPath) - CLOCK_MARGIN_MS;
    let names: string[] = [];
    try {
      names = await this.#io.names(this.#dir);
    } catch { /* the directory went away: only the path is tried */ }
    const found: Candidate[] = [];
    let currentRank = NaN;
    // Numbered names oldest first (see MIN_SCANS), then the others (dates: they never shift).
    const rotated = names.filter((n) => this.#rotated.test(n))
      .map((name) => ({ name, rank: rankOf(name, this.#base) }))
      .sort((a, b) =>
        Number.isNaN(a.rank) || Number.isNaN(b.rank)
          ? Number(Number.isNaN(a.rank)) - Number(Number.isNaN(b.rank))
          : a.rank - b.rank
      );
    for (const { name, rank } of rotated) {
      let st: Deno.FileInfo;
      try {
        st = await this.#io.stat(`${this.#dir}/${name}`);
      } catch {
        continue; // renamed again or deleted meanwhile
      }
      const birth = st.birthtime?.getTime();
      if (st.ino === current.ino && birth === since) currentRank = rank;
      const id = identityOf(st);
      if (!st.isFile || birth === undefined || birth < after || this.#seenSet.has(id)) continue;
      if (this.#ahead.some((g) => sameGen(g, st))) continue;
      // A compressed copy is a new file whose lines cannot be read as they are; nor can it be
      // told whether s9s had read the generation it came from, so it is passed over silently.
      if (!COMPRESSED.test(name)) found.push({ name, birth, rank, id });
    }
    return { found, currentRank };
  }

  /**
   * Open `path` and keep it as a waiting generation unless it was read or taken already.
   * With `expect` (an identity), false when another file is there now (it moved on).
   */
  async #take(path: string, name: string, rank: number, expect?: string): Promise<boolean> {
    if (this.#ahead.length >= MAX_AHEAD || !acquireFileFd()) return true;
    const asked = Date.now();
    // Never open what is not a regular file: opening a FIFO put at the path blocks until a
    // writer comes (here, with the sync calls, the whole process). The follower opens such a
    // path itself, where the wait can be ended.
    let pre: Deno.FileInfo | undefined;
    try {
      pre = await this.#io.stat(path);
    } catch {
      pre = undefined;
    }
    if (!pre?.isFile) {
      releaseFileFd();
      // Not taken, but found where it was looked for (the path's FIFO: the follower opens it).
      return pre !== undefined && (expect === undefined || identityOf(pre) === expect);
    }
    let file: Deno.FsFile;
    try {
      file = await this.#io.open(path);
    } catch (err) {
      releaseFileFd();
      // Gone from the name (moved on): missed. One that cannot be read (permission, an I/O
      // error) is passed over rather than holding back the generations after it for ever,
      // remembered (never tried again) and named.
      // Out of descriptors (EMFILE, ENFILE) is a moment's trouble: missed, tried again.
      if (err instanceof Deno.errors.NotFound || /\(os error 2[34]\)/.test(String(err))) {
        return false;
      }
      if (rank !== Infinity && expect !== undefined) {
        this.#remember(expect);
        this.#unreadable.push({ name, reason: reasonOf(err) });
      }
      return true;
    }
    let st: Deno.FileInfo;
    try {
      st = await this.#io.fstat(file);
    } catch {
      st = { isFile: false } as Deno.FileInfo;
    }
    const id = identityOf(st);
    if (
      this.#closed || !st.isFile || (expect !== undefined && id !== expect) ||
      this.#seenSet.has(id) ||
      this.#ahead.some((g) => sameGen(g, st))
    ) {
      file.close();
      releaseFileFd();
      return expect === undefined || id === expect;
    }
    const birth = st.birthtime?.getTime() ?? null;
    const seenAtPath = rank === Infinity ? asked : birth ?? 0;
    const gen = { file, ino: st.ino, birth, name, seenAtPath };
    // In the order taken (oldest first), unless one taken before was born clearly later: a
    // generation found by its rotated name in a later look can be older than one taken before.
    let i = this.#ahead.length;
    while (
      i > 0 && gen.birth !== null && (this.#ahead[i - 1].birth ?? 0) > gen.birth + CLOCK_MARGIN_MS
    ) i--;
    this.#ahead.splice(i, 0, gen);
    return true;
  }

  /** Close every waiting generation (and any a collection still under way opens). */
  close(): void {
    this.#closed = true;
    for (const g of this.#ahead) {
      try {
        g.file.close();
      } catch { /* already closed */ }
      releaseFileFd();
    }
    this.#ahead = [];
  }
}

function sameGen(g: Generation, st: Deno.FileInfo): boolean {
  return g.ino === st.ino && g.birth === (st.birthtime?.getTime() ?? null);
}
