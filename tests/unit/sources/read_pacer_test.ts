import { assert, assertEquals } from "../../_helpers/assert.ts";
import { ReadPacer } from "../../../src/sources/read_pacer.ts";

Deno.test("ReadPacer drops the watch of a busy file, polls it, and watches again once quiet", async () => {
  const pacer = new ReadPacer(3);
  let subscribed = 0;
  let unsubscribed = 0;
  const subscribe = () => {
    subscribed++;
    return () => void unsubscribed++;
  };
  assert(pacer.watch(subscribe, true));
  // A file written now and then: each read waits for the watch (the idle poll).
  assertEquals(pacer.next(100, 2000), 2000);
  assertEquals(pacer.busy, false);
  // Reads that bring data back to back: busy, the watch goes, the file is polled every 3 ms.
  let wait = 0;
  for (let i = 0; i < 10; i++) wait = pacer.next(100, 2000);
  assertEquals([pacer.busy, wait, unsubscribed], [true, 3, 1]);
  assertEquals(pacer.next(0, 2000), 3, "a read without data right away: still busy");
  await new Promise((r) => setTimeout(r, 120)); // the writer stops
  assertEquals(pacer.next(0, 2000), 0, "quiet: watch again and read once more at once");
  assertEquals([pacer.busy, subscribed], [false, 2]);
  pacer.close();
  assertEquals(unsubscribed, 2);
});

Deno.test("ReadPacer never drops a watch that does not see every write (NFS)", () => {
  const pacer = new ReadPacer(3);
  let unsubscribed = 0;
  pacer.watch(() => () => void unsubscribed++, false);
  for (let i = 0; i < 20; i++) assertEquals(pacer.next(100, 100), 100);
  assertEquals([pacer.busy, unsubscribed], [false, 0]);
});

Deno.test("ReadPacer: busy files are due on the shared tick, quiet ones at the idle poll", () => {
  const busy = new ReadPacer(3);
  busy.watch(() => () => {}, true);
  for (let i = 0; i < 10; i++) busy.delay(100, 2000);
  assert(busy.busy);
  const tick = busy.delay(100, 2000);
  assert(tick >= 1 && tick <= 10, `busy: polled every ${tick} ms`);
  busy.close();
  const quiet = new ReadPacer(3);
  quiet.watch(() => () => {}, true);
  assertEquals(quiet.delay(100, 2000), 2000);
  quiet.close();
});

Deno.test("ReadPacer: a file read every 10 ms is busy among many such files, not alone", async () => {
  const tick = () => new Promise((r) => setTimeout(r, 10)); // the writers' pace, not a wait for s9s
  const alone = new ReadPacer(3);
  alone.watch(() => () => {}, true);
  for (let i = 0; i < 24; i++) {
    alone.next(100, 2000);
    await tick();
  }
  assertEquals(alone.busy, false, "one file every 10 ms: its inotify wakes are cheap");
  alone.close();
  // Thirty files written every 10 ms (3,000 reads with data a second): polled together.
  const crowd = Array.from({ length: 30 }, () => new ReadPacer(3));
  for (const p of crowd) p.watch(() => () => {}, true);
  // (the rate is known after a first 100 ms, then eight reads in a row make a file busy)
  for (let i = 0; i < 24; i++) {
    for (const p of crowd) p.next(100, 2000);
    await tick();
  }
  assertEquals(crowd.filter((p) => p.busy).length, 30);
  for (const p of crowd) p.close();
});

Deno.test("ReadPacer: busy files are next read at one moment, whatever moment each was read at", async () => {
  // Fifty busy files (a 100 ms shared tick: the poll interval), each read at its own moment.
  const G = 100;
  const files = Array.from({ length: 50 }, () => new ReadPacer(3));
  for (const p of files) {
    p.watch(() => () => {}, true);
    for (let i = 0; i < 10; i++) p.next(100, 2000);
  }
  assert(files.every((p) => p.busy));
  const dues: number[] = [];
  const start = performance.now();
  for (const p of files) {
    const d = p.delay(100, 2000);
    dues.push(performance.now() + d);
    await new Promise((r) => setTimeout(r, 1)); // the next file is read a little later
  }
  // Every due time is a point of the same 100 ms grid (less the ms asked early): a few turns in
  // all, not one per file.
  const points = new Set(dues.map((t) => Math.round((t + 1) / G)));
  const offGrid = dues.filter((t) => Math.abs((t + 1) / G - Math.round((t + 1) / G)) > 0.01);
  assertEquals(offGrid.length, 0, `due times off the grid: ${offGrid.length}`);
  const ticks = Math.ceil((performance.now() - start) / G) + 2;
  assert(points.size <= ticks, `${points.size} turns for 50 files read over ${ticks} ticks`);
  for (const p of files) p.close();
});

Deno.test("ReadPacer: beside many busy files, a file read every 30 ms is busy too", async () => {
  // Twenty busy files (on the shared tick they bring data only ten times a second each).
  const busy = Array.from({ length: 20 }, () => new ReadPacer(3));
  for (const p of busy) {
    p.watch(() => () => {}, true);
    for (let i = 0; i < 10; i++) p.next(100, 2000);
  }
  assert(busy.every((p) => p.busy));
  const late = new ReadPacer(3);
  late.watch(() => () => {}, true);
  for (let i = 0; i < 14 && !late.busy; i++) {
    late.next(100, 2000);
    await new Promise((r) => setTimeout(r, 30)); // the writer's pace (4 KiB blocks), not a wait for s9s
  }
  assertEquals(late.busy, true);
  late.close();
  for (const p of busy) p.close();
});

Deno.test("ReadPacer: a poll interval shorter than the shared tick bounds a busy file's wait", () => {
  // Fifty busy files make a 100 ms tick; those of a 20 ms poll interval wait 20 ms at most.
  const files = Array.from({ length: 50 }, () => new ReadPacer(3, 20));
  for (const p of files) {
    p.watch(() => () => {}, true);
    for (let i = 0; i < 10; i++) p.next(100, 2000);
  }
  assert(files.every((p) => p.busy));
  const waits = files.map((p) => p.delay(100, 2000));
  assert(waits.every((ms) => ms <= 30), `waits up to ${Math.max(...waits)} ms`);
  for (const p of files) p.close();
});
