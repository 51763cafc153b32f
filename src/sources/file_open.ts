/**
 * Opening a followed path: stat first (opening a FIFO blocks until a writer comes, a device may
 * never end), refuse what is not an output file, count the descriptor against the reserve.
 * @module
 */
import { UserFacingError } from "../errors.ts";
import { acquireFileFd, fdLimitError, releaseFileFd } from "../platform/rlimit.ts";
import { abortable } from "./abortable.ts";
import { notRegularError, openError } from "./file_errors.ts";

/** Options of {@link openFollowed}. */
export interface OpenOptions {
  /** Following (a FIFO is accepted only then). */
  follow: boolean;
  signal?: AbortSignal;
  /** Called before waiting for a FIFO's writer. */
  onFifo?: () => void;
}

/** An opened followed file; its descriptor counts against the reserve until released. */
export interface Opened {
  file: Deno.FsFile;
  fifo: boolean;
}

/** Open `path` for following; undefined when it does not exist (yet) or the wait was aborted. */
export async function openFollowed(path: string, o: OpenOptions): Promise<Opened | undefined> {
  let st: Deno.FileInfo;
  try {
    st = await Deno.stat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw openError(path, err);
  }
  if (st.isDirectory) {
    throw new UserFacingError(`"${path}" is a directory, not an output file`, {
      hint: "give the file itself with --path",
    });
  }
  const fifo = !st.isFile && st.isFifo === true;
  if (!st.isFile && !(fifo && o.follow)) throw notRegularError(path, st);
  if (fifo) o.onFifo?.();
  if (!acquireFileFd()) throw fdLimitError(path);
  let file: Deno.FsFile | undefined;
  try {
    file = await abortable(Deno.open(path, { read: true }), o.signal, (late) => late.close());
  } catch (err) {
    releaseFileFd();
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw openError(path, err);
  }
  if (!file) {
    releaseFileFd();
    return undefined; // aborted while a FIFO waited for its writer
  }
  return { file, fifo };
}
