/**
 * The open-file limit (RLIMIT_NOFILE): read it, raise the soft limit to the hard one, and name
 * it in the error of a file that could not be opened for want of descriptors.
 *
 * Deno has no setrlimit: libc's getrlimit/setrlimit are called through FFI (allowed by
 * --allow-all), guarded so that a platform without them simply keeps its limit. Deno 2 already
 * raises the soft limit to the hard one when it starts; this repeats it in case a future runtime
 * or an embedding does not, and costs a dlopen (≈ 2 ms), paid only once many files are followed.
 * Reading the limit needs no FFI on Linux (/proc/self/limits).
 * @module
 */
import { UserFacingError } from "../errors.ts";

const RLIMIT_NOFILE = 7; // Linux, every architecture Deno runs on
/** Followed files from which the soft limit is raised (below it the default is plenty). */
const RAISE_FROM = 64;

/** The soft and hard limits on open files; undefined where they cannot be read. */
export interface FdLimit {
  soft: number;
  hard: number;
}

type Libc = Deno.DynamicLibrary<{
  getrlimit: { parameters: ["i32", "buffer"]; result: "i32" };
  setrlimit: { parameters: ["i32", "buffer"]; result: "i32" };
}>;

let libc: Libc | null | undefined;
let followed = 0;
let raised = false;
let held = 0; // descriptors held by followed files
let baseline = -1; // descriptors open before the first followed file
let soft: number | undefined;

function openLibc(): Libc | null {
  if (libc !== undefined) return libc;
  try {
    libc = Deno.dlopen(Deno.build.os === "darwin" ? "libSystem.dylib" : "libc.so.6", {
      getrlimit: { parameters: ["i32", "buffer"], result: "i32" },
      setrlimit: { parameters: ["i32", "buffer"], result: "i32" },
    }) as Libc;
  } catch {
    libc = null; // no FFI permission, no libc by that name: keep the limit as it is
  }
  return libc;
}

/** The current open-file limits, or undefined when they cannot be read. */
export function fdLimit(): FdLimit | undefined {
  return procFdLimit() ?? libcFdLimit();
}

/** From /proc/self/limits (Linux): one small read, no dlopen (≈ 2 ms) at start-up. */
function procFdLimit(): FdLimit | undefined {
  if (Deno.build.os !== "linux") return undefined;
  try {
    const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(Deno.readTextFileSync("/proc/self/limits"));
    if (!m) return undefined;
    const num = (v: string) => (v === "unlimited" ? Infinity : Number(v));
    const lim = { soft: num(m[1]), hard: num(m[2]) };
    return Number.isNaN(lim.soft) || Number.isNaN(lim.hard) ? undefined : lim;
  } catch {
    return undefined;
  }
}

function libcFdLimit(): FdLimit | undefined {
  const lib = openLibc();
  if (!lib || Deno.build.os !== "linux") return undefined;
  const buf = new BigUint64Array(2);
  try {
    if (lib.symbols.getrlimit(RLIMIT_NOFILE, buf) !== 0) return undefined;
  } catch {
    return undefined;
  }
  const num = (v: bigint) => (v > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(v));
  return { soft: num(buf[0]), hard: num(buf[1]) };
}

/** Raise the soft open-file limit to the hard one; returns the limits after, if known. */
export function raiseFdLimit(): FdLimit | undefined {
  raised = true;
  const cur = fdLimit();
  if (!cur || cur.soft >= cur.hard) return cur;
  const lib = openLibc();
  if (!lib) return cur;
  const buf = new BigUint64Array(2);
  try {
    if (lib.symbols.getrlimit(RLIMIT_NOFILE, buf) !== 0) return cur;
    buf[0] = buf[1];
    lib.symbols.setrlimit(RLIMIT_NOFILE, buf);
  } catch { /* keep the limit we have */ }
  return fdLimit();
}

/** Count a followed file; once there are many, raise the soft limit (once). */
export function noteFollowedFile(): void {
  followed++;
  if (!raised && followed > RAISE_FROM) {
    raiseFdLimit();
    soft = undefined;
  }
}

/** Descriptors open in this process now (undefined where /proc is not there). */
export function openFdCount(): number | undefined {
  try {
    let n = 0;
    for (const _ of Deno.readDirSync("/proc/self/fd")) n++;
    return n - 1; // the directory being read
  } catch {
    return undefined;
  }
}

/**
 * Ask for a descriptor to hold a followed file open. Refused (false) when fewer than a reserve
 * (an eighth of the limit, at least 64) would be left: Deno panics on some internal calls when
 * not a single descriptor is free, and sockets, history files and the watcher need some too.
 * Pair with {@link releaseFileFd}.
 */
export function acquireFileFd(): boolean {
  soft ??= fdLimit()?.soft ?? Infinity;
  if (soft === Infinity) {
    held++;
    return true;
  }
  if (baseline < 0) baseline = openFdCount() ?? 0;
  const reserve = Math.max(64, Math.floor(soft / 8));
  // Cheap estimate first; near the limit count what is really open (others open files too).
  if (baseline + held + 1 + reserve > soft) {
    const open = openFdCount();
    if (open !== undefined && open + 1 + reserve > soft) return false;
  }
  held++;
  return true;
}

/** Give back a descriptor from {@link acquireFileFd}. */
export function releaseFileFd(): void {
  if (held > 0) held--;
}

/** The error for a file that could not be opened because descriptors ran out. */
export function fdLimitError(path: string, cause?: unknown): UserFacingError {
  const lim = fdLimit();
  const limit = lim ? ` (limit ${lim.soft} open files)` : "";
  return new UserFacingError(`cannot follow "${path}": too many open files${limit}`, {
    hint: lim && lim.hard > lim.soft
      ? `each followed file takes one descriptor; raise the limit with \`ulimit -n ${lim.hard}\``
      : "each followed file takes one descriptor; raise the hard limit (`ulimit -Hn`, limits.conf) or follow fewer files",
    cause,
  });
}
