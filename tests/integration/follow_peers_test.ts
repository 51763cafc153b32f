/**
 * Cases from other followers' test suites, translated to `s9s stream --path` in our own words:
 * GNU coreutils' tail tests (F-vs-rename, descriptor-vs-rename, symlink, inotify-hash-abuse,
 * retry, dir-recreate, rotate ×N with resource counts) and pygtail's rotation variants (dateext,
 * delaycompress, copytruncate to a smaller and a larger size, rename-create). Each case does its
 * file operations while s9s follows, and the lines s9s prints must be exactly the expected ones.
 */
import { assert, assertEquals, waitFor } from "../_helpers/assert.ts";
import { S9sProcess, testEnv } from "../_helpers/cli.ts";
import { tempHome } from "../_helpers/temp_dir.ts";
import { FOLLOW_MODES, lineOf } from "../_helpers/log_writers.ts";

const enc = new TextEncoder();

/** Append lines from..to to `path` (created if missing), in one write. */
function append(path: string, from: number, to: number): void {
  let s = "";
  for (let n = from; n <= to; n++) s += lineOf(n) + "\n";
  const f = Deno.openSync(path, { append: true, create: true });
  f.writeSync(enc.encode(s));
  f.close();
}

function range(from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, i) => lineOf(from + i));
}

const MODES = FOLLOW_MODES;

interface Case {
  name: string;
  /** The path followed, relative to the case's directory. */
  path?: string;
  /** Before s9s starts. */
  setup?: (dir: string) => void | Promise<void>;
  /** While s9s follows; `seen(n)` waits until it printed n lines. */
  run: (dir: string, seen: (n: number) => Promise<void>, p: S9sProcess) => void | Promise<void>;
  expect: string[];
  only?: "inotify";
}

const CASES: Case[] = [
  {
    // tail -F follows the name: after `mv a a.old` and a new `a`, the new file is read.
    name: "F-vs-rename: the name is followed to its new file",
    setup: (d) => append(`${d}/a`, 1, 3),
    run: async (d, seen) => {
      await seen(3);
      append(`${d}/a`, 4, 5);
      Deno.renameSync(`${d}/a`, `${d}/a.old`);
      append(`${d}/a`, 6, 8);
    },
    expect: range(1, 8),
  },
  {
    // Moved away and not recreated: read on from the descriptor held, until a new file comes.
    name: "descriptor-vs-rename: a moved file is read on until the name has a file again",
    setup: (d) => append(`${d}/a`, 1, 2),
    run: async (d, seen) => {
      await seen(2);
      Deno.renameSync(`${d}/a`, `${d}/b`);
      append(`${d}/b`, 3, 4);
      await seen(4);
      append(`${d}/a`, 5, 6);
    },
    expect: range(1, 6),
  },
  {
    name: "symlink: a link pointed at another file is followed there",
    path: "link",
    setup: (d) => {
      append(`${d}/t1`, 1, 2);
      Deno.symlinkSync(`${d}/t1`, `${d}/link`);
    },
    run: async (d, seen) => {
      await seen(2);
      append(`${d}/t2`, 3, 4);
      Deno.symlinkSync(`${d}/t2`, `${d}/link.new`);
      Deno.renameSync(`${d}/link.new`, `${d}/link`);
    },
    expect: range(1, 4),
  },
  {
    // tail's inotify-hash-abuse: one of many files in a directory removed and recreated again
    // and again; each new file is read, the others go on.
    name: "inotify-hash-abuse: a file removed and recreated 30 times among ten",
    setup: (d) => {
      for (let i = 0; i < 10; i++) append(`${d}/f${i}`, 1000 + i, 1000 + i);
      append(`${d}/a`, 1, 1);
    },
    run: async (d, seen) => {
      await seen(1);
      for (let n = 2; n <= 31; n++) {
        Deno.removeSync(`${d}/a`);
        append(`${d}/a`, n, n);
        await seen(n);
      }
    },
    expect: range(1, 31),
  },
  {
    name: "retry: a file that appears, is removed and appears again is read each time",
    run: async (d, seen) => {
      append(`${d}/a`, 1, 2);
      await seen(2);
      Deno.removeSync(`${d}/a`);
      append(`${d}/a`, 3, 4);
    },
    expect: range(1, 4),
  },
  {
    name: "dir-recreate: the directory removed and made again, with the file in it",
    path: "sub/a",
    setup: (d) => {
      Deno.mkdirSync(`${d}/sub`);
      append(`${d}/sub/a`, 1, 2);
    },
    run: async (d, seen) => {
      await seen(2);
      Deno.removeSync(`${d}/sub`, { recursive: true });
      Deno.mkdirSync(`${d}/sub`);
      append(`${d}/sub/a`, 3, 4);
    },
    expect: range(1, 4),
  },
  {
    name: "dateext: rotated to a dated name, then a new file",
    setup: (d) => append(`${d}/a`, 1, 10),
    run: (d) => {
      append(`${d}/a`, 11, 20);
      Deno.renameSync(`${d}/a`, `${d}/a-20261206`);
      append(`${d}/a`, 21, 30);
      Deno.renameSync(`${d}/a`, `${d}/a-20261207`);
      append(`${d}/a`, 31, 40);
    },
    expect: range(1, 40),
  },
  {
    // logrotate's delaycompress: .1 is compressed into .2.gz at the next rotation.
    name: "delaycompress: the previous generation compressed as the next rotates",
    setup: (d) => append(`${d}/a`, 1, 10),
    run: (d) => {
      append(`${d}/a`, 11, 20);
      Deno.renameSync(`${d}/a`, `${d}/a.1`);
      append(`${d}/a`, 21, 30);
      const gz = new Deno.Command("gzip", { args: ["-c", `${d}/a.1`], stdout: "piped" });
      Deno.writeFileSync(`${d}/a.2.gz`, gz.outputSync().stdout);
      Deno.removeSync(`${d}/a.1`);
      Deno.renameSync(`${d}/a`, `${d}/a.1`);
      append(`${d}/a`, 31, 40);
    },
    expect: range(1, 40),
  },
  {
    name: "copytruncate to a smaller size: the new lines from the start",
    setup: (d) => append(`${d}/a`, 1, 10),
    run: async (d, seen) => {
      await seen(10);
      Deno.copyFileSync(`${d}/a`, `${d}/a.1`);
      Deno.truncateSync(`${d}/a`, 0);
      append(`${d}/a`, 11, 12);
    },
    expect: range(1, 12),
  },
  {
    name: "copytruncate to a larger size before s9s looks: the new content from its start",
    setup: (d) => append(`${d}/a`, 1, 10),
    run: async (d, seen) => {
      await seen(10);
      Deno.copyFileSync(`${d}/a`, `${d}/a.1`);
      const f = Deno.openSync(`${d}/a`, { write: true, truncate: true });
      let s = "";
      for (let n = 11; n <= 60; n++) s += lineOf(n) + "\n";
      f.writeSync(enc.encode(s));
      f.close();
    },
    expect: range(1, 60),
  },
  {
    name: "rename-create: renamed to .1 and created empty, then written",
    setup: (d) => append(`${d}/a`, 1, 5),
    run: async (d, seen) => {
      await seen(5);
      Deno.renameSync(`${d}/a`, `${d}/a.1`);
      Deno.writeFileSync(`${d}/a`, new Uint8Array());
      append(`${d}/a`, 6, 7);
    },
    expect: range(1, 7),
  },
];

for (const mode of MODES) {
  for (const c of CASES) {
    if (c.only && c.only !== mode.name) continue;
    Deno.test(`stream (${mode.name}) ${c.name}`, async () => {
      const { dir, home } = await tempHome("s9s-peer-");
      await Deno.writeTextFile(`${dir}/c.yaml`, mode.config);
      await c.setup?.(dir);
      const p = new S9sProcess(
        ["stream", "--path", `${dir}/${c.path ?? "a"}`, "--config", `${dir}/c.yaml`],
        { env: testEnv(home) },
      );
      try {
        // Live: the first line printed, or (no file yet) the wait for it said.
        await (c.setup ? p.waitForLines(1) : p.waitForStderr("waiting for"));
        await c.run(dir, (n) => p.waitForLines(n, 10_000).then(() => {}), p);
        await p.waitForLines(c.expect.length, 10_000).catch(() => {});
        await p.stop();
        assertEquals(p.lines, c.expect, p.stderr);
      } finally {
        await p.stop();
        await Deno.remove(dir, { recursive: true });
      }
    });
  }
}

Deno.test("stream holds no more descriptors after 100 rotations than before (tail's rotate ×N)", async () => {
  const { dir, home } = await tempHome("s9s-peer-");
  const path = `${dir}/a`;
  append(path, 1, 1);
  const p = new S9sProcess(["stream", "--path", path], { env: testEnv(home) });
  const fds = () => [...Deno.readDirSync(`/proc/${p.pid}/fd`)].length;
  try {
    await p.waitForLines(1);
    // Let start-up settle (history opened and closed again) before counting.
    await waitFor(async () => {
      const a = fds();
      await new Promise((r) => setTimeout(r, 200));
      return fds() === a;
    });
    const before = fds();
    let n = 1;
    for (let r = 0; r < 100; r++) {
      Deno.renameSync(path, `${path}.${1 + (r % 3)}`);
      append(path, n + 1, n + 2);
      n += 2;
      await p.waitForLines(n); // a generation overwritten unread is lost to any follower
    }
    await p.waitForLines(n);
    await waitFor(() => fds() <= before, { what: `descriptors back to ${before} (${fds()})` });
    assertEquals(p.lines, range(1, n));
    assert(fds() <= before);
  } finally {
    await p.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
