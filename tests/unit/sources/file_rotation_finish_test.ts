/**
 * A followed file's stream ends (the job ended) while a burst of rotations still shifts the
 * rotated names: the follower looks again until they hold still and reads every generation,
 * rather than end with the one it holds. While following, such a burst is said once.
 */
import { assertEquals, waitFor } from "../../_helpers/assert.ts";
import { sourceCollector } from "../../_helpers/source_collector.ts";
import { FileSource } from "../../../src/sources/file.ts";
import { type FsIo, SYNC_IO } from "../../../src/sources/generations.ts";

/** Rotate `path` as RotatingFileHandler does (names up to `.300` shift), then write line `g`. */
function rotate(path: string, g: number): void {
  for (let i = 300; i >= 1; i--) {
    try {
      Deno.renameSync(`${path}.${i}`, `${path}.${i + 1}`);
    } catch { /* not there */ }
  }
  Deno.renameSync(path, `${path}.1`);
  Deno.writeTextFileSync(path, `L${g}\n`);
}

Deno.test("FileSource finishing during a burst of rotations reads every generation once the names hold still", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/job.out`;
  try {
    Deno.writeTextFileSync(path, "L0\n");
    // A slow filesystem (3 ms a look at `.2`) on which the writer rotates twice at every look at
    // `.2`, 120 times: no collection settles for the first few looks.
    let made = 0;
    let burst = 0;
    const io: FsIo = {
      ...SYNC_IO,
      stat: (p) => {
        if (burst > 0 && p === `${path}.2`) {
          burst--;
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3);
          rotate(path, ++made);
          rotate(path, ++made);
        }
        return SYNC_IO.stat(p);
      },
    };
    const src = new FileSource(path, { generationsIo: io, pollIntervalMs: 20 });
    const got = sourceCollector();
    const run = src.run(got.sink);
    await waitFor(() => got.lines.length >= 1, { what: "the first line", interval: 5 });
    assertEquals(got.lines, ["L0"]);
    for (let i = 0; i < 3; i++) rotate(path, ++made);
    burst = 120;
    src.finish(); // the job ended: its rotations are still being looked at
    await run;
    assertEquals(burst, 0, "the burst went by");
    assertEquals(got.lines, Array.from({ length: made + 1 }, (_, i) => `L${i}`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileSource following while rotated names never hold still says so once, then reads on when they do", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/job.out`;
  // RotatingFileHandler with backupCount=5: the oldest generation is deleted at each rotation.
  let made = 0;
  const rotateKeeping5 = () => {
    for (let i = 5; i >= 1; i--) {
      try {
        Deno.renameSync(`${path}.${i}`, `${path}.${i + 1}`);
      } catch { /* not there */ }
    }
    try {
      Deno.removeSync(`${path}.6`);
    } catch { /* not there */ }
    Deno.renameSync(path, `${path}.1`);
    Deno.writeTextFileSync(path, `L${++made}\n`);
  };
  try {
    Deno.writeTextFileSync(path, "L0\n");
    // While bursting, every look at `.2` rotates: no two readings of the names ever agree.
    let bursting = false;
    const io: FsIo = {
      ...SYNC_IO,
      stat: (p) => {
        if (bursting && p === `${path}.2`) rotateKeeping5();
        return SYNC_IO.stat(p);
      },
    };
    const src = new FileSource(path, { generationsIo: io, pollIntervalMs: 10 });
    const got = sourceCollector();
    const run = src.run(got.sink);
    await waitFor(() => got.lines.length >= 1, { what: "the first line", interval: 5 });
    for (let i = 0; i < 3; i++) rotateKeeping5();
    bursting = true;
    const said = () => got.statuses.filter((s) => s.includes("is being rotated faster than"));
    await waitFor(() => said().length > 0, { what: "a word on the moving names", interval: 5 });
    bursting = false;
    // The names hold still: the follower goes on to the path's file.
    Deno.writeTextFileSync(path, "END\n", { append: true });
    await waitFor(() => got.lines.at(-1) === "END", {
      what: "the line after the burst",
      interval: 5,
    });
    src.finish();
    await run;
    assertEquals(said().length, 1, "said once");
    assertEquals(said()[0].startsWith("live: "), true, said()[0]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
