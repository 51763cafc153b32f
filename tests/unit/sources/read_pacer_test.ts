import { assert, assertEquals } from "../../_helpers/assert.ts";
import { ReadPacer } from "../../../src/sources/read_pacer.ts";

Deno.test("ReadPacer reads at once after a quiet spell and spaces reads of a busy file", async () => {
  const pacer = new ReadPacer(20);
  assertEquals(pacer.pace(), undefined, "the first read waits for nothing");
  const starts = [performance.now()];
  // A busy file: reads asked for back to back each start at least the gap after the one before.
  for (let i = 0; i < 4; i++) {
    await pacer.pace(); // (resolves at once only when the timer was late by a whole gap)
    starts.push(performance.now());
  }
  for (let i = 1; i < starts.length; i++) {
    assert(starts[i] - starts[i - 1] >= 19, `reads ${starts[i] - starts[i - 1]} ms apart`);
  }
  // A quiet spell longer than the gap (the file stopped being written): no wait.
  await new Promise((r) => setTimeout(r, 30));
  assertEquals(pacer.pace(), undefined);
});

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

Deno.test("busy files wait on one shared tick; quiet ones on their own waker", async () => {
  const busy = [new ReadPacer(3), new ReadPacer(3)];
  for (const p of busy) {
    p.watch(() => () => {}, true);
    for (let i = 0; i < 10; i++) p.next(100, 2000);
    assert(p.busy);
  }
  const waker = {
    waits: [] as number[],
    wait(ms: number) {
      this.waits.push(ms);
      return Promise.resolve();
    },
  };
  const order: string[] = [];
  const first = busy[0].wait(100, 2000, waker).then(() => order.push("first"));
  const later = new Promise((r) => setTimeout(r, 0)).then(() => order.push("timer 0"));
  await busy[1].wait(100, 2000, waker);
  order.push("second");
  await Promise.all([first, later]);
  // Both woke in the same turn (after a zero timer set between them), none used the waker.
  assertEquals(order, ["timer 0", "first", "second"]);
  assertEquals(waker.waits, []);
  const quiet = new ReadPacer(3);
  quiet.watch(() => () => {}, true);
  await quiet.wait(100, 2000, waker);
  assertEquals(waker.waits, [2000]);
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
