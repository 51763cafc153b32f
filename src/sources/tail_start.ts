/**
 * Where `--tail N` starts reading: the offset of the last N lines of a file, found by reading
 * backwards in blocks, and how many lines come before it (so line numbers stay true).
 * @module
 */

/** Find where the last `n` lines of a file start, and how many lines come before. */
export async function tailStart(
  file: Deno.FsFile,
  size: number,
  n: number,
): Promise<{ offset: number; linesBefore: number }> {
  if (n <= 0) {
    return { offset: size, linesBefore: await countLines(file, size) };
  }
  const block = 64 * 1024;
  const buf = new Uint8Array(block);
  let end = size;
  let found = 0;
  let offset = 0;
  let skipLast = true; // a newline ending the file ends the last line, it does not start one
  outer:
  while (end > 0) {
    const start = Math.max(0, end - block);
    await file.seek(start, Deno.SeekMode.Start);
    const view = buf.subarray(0, end - start);
    await readFull(file, view);
    for (let i = view.length - 1; i >= 0; i--) {
      if (view[i] !== 10) {
        skipLast = false;
        continue;
      }
      if (skipLast) {
        skipLast = false;
        continue;
      }
      found++;
      if (found === n) {
        offset = start + i + 1;
        break outer;
      }
    }
    end = start;
  }
  const linesBefore = offset > 0 ? await countLines(file, offset) : 0;
  return { offset, linesBefore };
}

/** Read until `view` is full or the file ends; returns the bytes read. */
export async function readFull(file: Deno.FsFile, view: Uint8Array): Promise<number> {
  let got = 0;
  while (got < view.length) {
    const n = await file.read(view.subarray(got));
    if (n === null || n === 0) break;
    got += n;
  }
  return got;
}

/** {@link readFull}, synchronously (local files). */
export function readFullSync(file: Deno.FsFile, view: Uint8Array): number {
  let got = 0;
  while (got < view.length) {
    const n = file.readSync(view.subarray(got));
    if (n === null || n === 0) break;
    got += n;
  }
  return got;
}

async function countLines(file: Deno.FsFile, upTo: number): Promise<number> {
  await file.seek(0, Deno.SeekMode.Start);
  const buf = new Uint8Array(1024 * 1024);
  let pos = 0;
  let count = 0;
  while (pos < upTo) {
    const view = buf.subarray(0, Math.min(buf.length, upTo - pos));
    const n = await file.read(view);
    if (n === null || n === 0) break;
    const v = view.subarray(0, n);
    let p = v.indexOf(10);
    while (p !== -1) {
      count++;
      p = v.indexOf(10, p + 1);
    }
    pos += n;
  }
  return count;
}
