/**
 * The open-file limit (RLIMIT_NOFILE): read it, raise the soft limit to the hard one, and name
 * it in the error of a file that could not be opened for want of descriptors.
 *
 * Deno has no setrlimit: libc's getrlimit/setrlimit are called through FFI (allowed by
 * --allow-all), guarded so that a platform without them simply keeps its limit. Deno 2 already
 * raises the soft limit to the hard one when it starts; this repeats it in case a future runtime
 * or an embedding does not, and costs about 1 ms (one dlopen), paid only once many files are
 * followed.
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
  const buf = new BigUint64Array(2);
  try {
    if (libc!.symbols.getrlimit(RLIMIT_NOFILE, buf) !== 0) return cur;
    buf[0] = buf[1];
    libc!.symbols.setrlimit(RLIMIT_NOFILE, buf);
  } catch { /* keep the limit we have */ }
  return fdLimit();
}

/** Count a followed file; once there are many, raise the soft limit (once). */
export function noteFollowedFile(): void {
  followed++;
  if (!raised && followed > RAISE_FROM) raiseFdLimit();
}

/** The error for a file that could not be opened because descriptors ran out. */
export function fdLimitError(path: string, cause: unknown): UserFacingError {
  const lim = fdLimit();
  const limit = lim ? ` (limit ${lim.soft} open files)` : "";
  return new UserFacingError(`cannot follow "${path}": too many open files${limit}`, {
    hint: lim && lim.hard > lim.soft
      ? `each followed file takes one descriptor; raise the limit with \`ulimit -n ${lim.hard}\``
      : "each followed file takes one descriptor; raise the hard limit (`ulimit -Hn`, limits.conf) or follow fewer files",
    cause,
  });
}
