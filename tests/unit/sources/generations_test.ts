import { assertEquals } from "../../_helpers/assert.ts";
import { type Current, type FsIo, Generations, SYNC_IO } from "../../../src/sources/generations.ts";

const dec = new TextDecoder();

/** The contents of the generations `gens` hands out, oldest first, each closed after. */
function drain(gens: Generations): string[] {
  const out: string[] = [];
  for (let g = gens.next(); g; g = gens.next()) {
    const buf = new Uint8Array(64);
    const n = g.file.readSync(buf) ?? 0;
    out.push(dec.decode(buf.subarray(0, n)));
    g.file.close();
  }
  return out;
}

/** Start following `path` (holding "gen0"): the generation read, as collect() needs it. */
function start(path: string, gens: Generations) {
  Deno.writeTextFileSync(path, "gen0");
  const st = Deno.statSync(path);
  gens.seen(st);
  return { ino: st.ino, birth: st.birthtime!.getTime(), lastSeenAtPath: Date.now() };
}

/**
 * Rotate `path` as RotatingFileHandler does (`.3` -> `.4`, … `.1` -> `.2`, the file -> `.1`, the
 * oldest name first; names up to `.{names}` shift), then start generation `g` there.
 */
function rotate(path: string, g: number, names = 4): void {
  for (let i = names; i >= 1; i--) {
    try {
      Deno.renameSync(`${path}.${i}`, `${path}.${i + 1}`);
    } catch { /* not there yet */ }
  }
  Deno.renameSync(path, `${path}.1`);
  Deno.writeTextFileSync(path, `gen${g}`);
}

/** Run `body` with the path `a` in a fresh directory (and the directory), removed after. */
async function inTempDir(body: (path: string, dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await body(`${dir}/a`, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Follow `path` as the follower does: collect, read what was taken, collect again from the last
 * generation read, until the path's own file was read (a collection that could not settle takes
 * nothing: the follower keeps the one it reads and looks again). The numbers of the generations
 * read, in order.
 */
async function followAll(gens: Generations, path: string, first: Current) {
  const read: number[] = [];
  let current = first;
  for (let round = 0; round < 500; round++) {
    await gens.collect(current);
    for (let g = gens.next(); g; g = gens.next()) {
      const buf = new Uint8Array(64);
      read.push(Number(dec.decode(buf.subarray(0, g.file.readSync(buf) ?? 0)).slice(3)));
      g.file.close();
      // As the follower holds it: last seen at the path when it was found there, else born.
      current = { ino: g.ino!, birth: g.birth, lastSeenAtPath: g.seenAtPath };
    }
    if (Deno.statSync(path).ino === current.ino) break;
  }
  return read;
}

/**
 * `path` read as gen0, then rotated three times (a.3 gen0, a.2 gen1, a.1 gen2, the path gen3)
 * for generations whose filesystem calls run `beforeOpen` before each open.
 */
function rotatedThrice(path: string, beforeOpen: (p: string) => void) {
  const io: FsIo = {
    ...SYNC_IO,
    open: (p) => {
      beforeOpen(p);
      return SYNC_IO.open(p);
    },
  };
  const gens = new Generations(path, true, io);
  const current = start(path, gens);
  for (let g = 1; g <= 3; g++) rotate(path, g);
  return { gens, current };
}

Deno.test("Generations opens every generation born since the one read, numbered ones by number, the path's last", async () => {
  await inTempDir(async (path, dir) => {
    const gens = new Generations(path);
    const current = start(path, gens);
    // Three rotations as RotatingFileHandler does them, all within the same millisecond or so.
    for (let g = 1; g <= 3; g++) rotate(path, g);
    Deno.writeTextFileSync(`${dir}/a.lock`, "not a generation");
    await gens.collect(current);
    assertEquals(drain(gens), ["gen1", "gen2", "gen3"]);
    // Taken once: a second look finds nothing new.
    await gens.collect(current);
    assertEquals(drain(gens), []);
  });
});

Deno.test("Generations orders dated names by birth and passes over compressed ones", async () => {
  await inTempDir(async (path) => {
    const gens = new Generations(path);
    const current = start(path, gens);
    Deno.renameSync(path, `${path}-20261206`);
    Deno.writeTextFileSync(path, "gen1");
    // Birth times are kept to the millisecond: the next generation is born in a later one.
    const born = Date.now();
    while (Date.now() < born + 5) { /* one clock tick on */ }
    Deno.renameSync(path, `${path}-20261207`);
    Deno.writeTextFileSync(path, "gen2");
    Deno.writeTextFileSync(`${path}-20261205.gz`, "compressed");
    await gens.collect(current);
    assertEquals(drain(gens), ["gen1", "gen2"]);
  });
});

Deno.test("Generations does not take a copy made while the file read was still at the path for a generation", async () => {
  await inTempDir(async (path) => {
    const gens = new Generations(path);
    start(path, gens);
    // copytruncate's copy, named like a rotated generation, made before the file was last
    // seen at the path; then a real rotation.
    Deno.copyFileSync(path, `${path}.1`);
    const made = Date.now();
    while (Date.now() < made + 15) { /* later than the clock margin */ }
    const st = Deno.statSync(path);
    const current = { ino: st.ino, birth: st.birthtime!.getTime(), lastSeenAtPath: Date.now() };
    Deno.renameSync(`${path}.1`, `${path}.2`);
    Deno.renameSync(path, `${path}.1`);
    Deno.writeTextFileSync(path, "gen1");
    await gens.collect(current);
    assertEquals(drain(gens), ["gen1"]);
  });
});

Deno.test("Generations reads an older generation that moved while it was being opened before the younger ones", async () => {
  await inTempDir(async (path) => {
    // The first open of `a.2` (gen1) meets a rotation half done, as RotatingFileHandler shifts
    // the oldest names first: a.3 -> a.4 and a.2 -> a.3 are done, a.1 (gen2) is still there.
    let interrupted = false;
    const { gens, current } = rotatedThrice(path, (p) => {
      if (interrupted || p !== `${path}.2`) return;
      interrupted = true;
      Deno.renameSync(`${path}.3`, `${path}.4`);
      Deno.renameSync(`${path}.2`, `${path}.3`);
    });
    await gens.collect(current);
    assertEquals(interrupted, true);
    assertEquals(drain(gens), ["gen1", "gen2", "gen3"]);
  });
});

Deno.test("Generations passes over a generation it may not open, names it once, and reads the others", async () => {
  await inTempDir(async (path) => {
    // Root may open anything: the denial comes from the filesystem calls, for `a.2` (gen1).
    let denied = 0;
    const { gens, current } = rotatedThrice(path, (p) => {
      if (p !== `${path}.2`) return;
      denied++;
      throw new Deno.errors.PermissionDenied("Permission denied (os error 13)");
    });
    await gens.collect(current);
    assertEquals(drain(gens), ["gen2", "gen3"]);
    assertEquals(gens.takeUnreadable(), [{ name: "a.2", reason: "permission denied" }]);
    assertEquals(gens.takeUnreadable(), []);
    // Looked at again, it is not tried again (nor named again).
    await gens.collect(current);
    assertEquals([drain(gens), gens.takeUnreadable(), denied], [[], [], 1]);
  });
});

Deno.test("Generations passes over a generation that fails to open with an I/O error, and names why", async () => {
  await inTempDir(async (path) => {
    // A failing disk (or a stale NFS handle) under `a.2` (gen1): the open fails however often it
    // is tried; the generations after it are not held back for ever.
    const { gens, current } = rotatedThrice(path, (p) => {
      if (p === `${path}.2`) throw new Error("Input/output error (os error 5): open 'a.2'");
    });
    assertEquals((await gens.collect(current)).settled, true);
    assertEquals(drain(gens), ["gen2", "gen3"]);
    assertEquals(gens.takeUnreadable(), [{ name: "a.2", reason: "input/output error" }]);
  });
});

Deno.test("Generations tries a generation again when the process ran out of descriptors", async () => {
  await inTempDir(async (path) => {
    // EMFILE once for `a.2` (gen1): a moment's trouble, not a generation to skip.
    let failed = 0;
    const { gens, current } = rotatedThrice(path, (p) => {
      if (p === `${path}.2` && failed++ === 0) {
        throw new Error(`Too many open files (os error 24): open '${p}'`);
      }
    });
    await gens.collect(current);
    assertEquals([drain(gens), gens.takeUnreadable(), failed], [["gen1", "gen2", "gen3"], [], 2]);
  });
});

Deno.test("Generations keeps the order through a burst of rotations that goes on while the directory is read", async () => {
  await inTempDir(async (path) => {
    // A writer rotating as RotatingFileHandler does (every name shifts up one) on every third
    // look at a rotated name, 38 times: ten readings of the directory in a row never agree.
    const shift = (g: number) => rotate(path, g, 60);
    let made = 0;
    let burst = 0;
    let looks = 0;
    const io: FsIo = {
      ...SYNC_IO,
      stat: (p) => {
        if (burst > 0 && p !== path && ++looks % 3 === 0) {
          burst--;
          shift(++made);
        }
        return SYNC_IO.stat(p);
      },
    };
    const gens = new Generations(path, true, io);
    const current = start(path, gens);
    for (let i = 0; i < 3; i++) shift(++made);
    burst = 38;
    const read = await followAll(gens, path, current);
    assertEquals(burst, 0, "the burst went by");
    assertEquals(read, Array.from({ length: made }, (_, i) => i + 1));
  });
});

Deno.test("Generations never takes a reading made while names shift, whatever order the directory lists them in", async () => {
  await inTempDir(async (path) => {
    // A slow filesystem (3 ms a look at `a.2`) listing the youngest names first (`a.1`, `a.2`,
    // …), and a writer that rotates twice whenever `a.2` is looked at, 120 times: a reading in
    // that order sees a generation under the name its older neighbour had, and the burst goes on
    // through every look of several collections (the follower reads on and asks again).
    let made = 0;
    let burst = 0;
    const io: FsIo = {
      ...SYNC_IO,
      names: async (dir) =>
        (await SYNC_IO.names(dir)).sort((a, b) =>
          Number(a.split(".")[1] ?? 0) - Number(b.split(".")[1] ?? 0)
        ),
      stat: (p) => {
        if (burst > 0 && p === `${path}.2`) {
          burst--;
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3);
          rotate(path, ++made, 300);
          rotate(path, ++made, 300);
        }
        return SYNC_IO.stat(p);
      },
    };
    const gens = new Generations(path, true, io);
    const current = start(path, gens);
    for (let i = 0; i < 3; i++) rotate(path, ++made, 300);
    burst = 120;
    const read = await followAll(gens, path, current);
    assertEquals(burst, 0, "the burst went by");
    assertEquals(read, Array.from({ length: made }, (_, i) => i + 1));
  });
});

Deno.test("Generations settles on a FIFO put at the path, and leaves it to the follower to open", async () => {
  await inTempDir(async (path) => {
    const gens = new Generations(path);
    const current = start(path, gens);
    Deno.removeSync(path);
    await new Deno.Command("mkfifo", { args: [path] }).output();
    // Opening a FIFO here would block until a writer came: it is neither opened nor waited on.
    assertEquals(await gens.collect(current), { oldest: undefined, settled: true });
    assertEquals(gens.waiting, 0);
  });
});
