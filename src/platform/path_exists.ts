/**
 * Whether something is at a path, as a lookup before following it: only "no such file" (or a
 * parent that is not a directory) means no. A file this user may not read, or one whose stat fails
 * otherwise (a loop, a stale NFS handle), is there: opening it reports the error to the user.
 * @module
 */

/** Whether `path` exists (see the module note for what counts). */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (err) {
    return !(err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory);
  }
}
