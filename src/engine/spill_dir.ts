/**
 * Where scroll-back buffers spill: one file per buffer, in a folder of the history directory.
 * Named in one place for the buffers that write there (./stream_buffer.ts) and for the history
 * cleanup that removes what a process that is gone left behind (src/persist/cleanup.ts).
 * @module
 */

/** The spill folder's name under the history directory. */
export const SPILL_DIR = "spill";

/** A new spill file's name for a buffer of the stream `name`: this process's id leads it. */
export function spillFileName(name = "stream"): string {
  const safe = name.replace(/[^A-Za-z0-9_.-]+/g, "_").slice(0, 80);
  const rand = Math.random().toString(36).slice(2, 8);
  return `${Deno.pid}-${safe}-${rand}.gz`;
}

/** The process that wrote the spill file `fileName`; undefined for a name no buffer gives. */
export function spillOwner(fileName: string): number | undefined {
  const m = /^(\d+)-.*\.gz$/.exec(fileName);
  return m ? Number(m[1]) : undefined;
}
