import { assert, assertEquals, waitFor } from "../../_helpers/assert.ts";
import { SharedTimer } from "../../../src/sources/shared_timer.ts";

/** Count the timers set while `fn` runs (setTimeout wrapped, restored after). */
async function countingTimers<T>(
  fn: () => T | Promise<T>,
): Promise<{ value: T; set: number }> {
  const real = globalThis.setTimeout;
  let set = 0;
  globalThis.setTimeout =
    ((f: () => void, ms?: number) => (set++, real(f, ms))) as typeof setTimeout;
  try {
    return { value: await fn(), set };
  } finally {
    globalThis.setTimeout = real;
  }
}

Deno.test("SharedTimer fires deadlines in order, never a cancelled one", async () => {
  const t = new SharedTimer();
  const fired: string[] = [];
  t.after(30, () => fired.push("c"));
  t.after(10, () => fired.push("a"));
  const b = t.after(20, () => fired.push("b"));
  t.after(20, () => fired.push("b2"));
  b.cancel();
  await waitFor(() => fired.length === 3, { what: "three deadlines" });
  assertEquals(fired, ["a", "b2", "c"]);
});

Deno.test("SharedTimer: waits cancelled by wakes set no timer of their own", async () => {
  const t = new SharedTimer();
  const { set } = await countingTimers(() => {
    const keep = t.after(1000, () => {}); // one live wait all along, due first
    // 1,000 waits of 2 s, each ended early by its wake: the timer stays where it is.
    for (let i = 0; i < 1000; i++) t.after(2000, () => {}).cancel();
    keep.cancel();
  });
  assertEquals(set, 1);
  assertEquals(t.size, 0, "no live deadline: nothing kept");
});

Deno.test("SharedTimer keeps cancelled entries few and leaves no timer when none is live", () => {
  const t = new SharedTimer();
  const live = Array.from({ length: 10 }, () => t.after(60_000, () => {}));
  for (let i = 0; i < 20_000; i++) t.after(1000 + i, () => {}).cancel();
  assert(t.size <= 1024 + 10, `heap of ${t.size} for 10 live deadlines`);
  for (const d of live) d.cancel();
  assertEquals(t.size, 0);
  // The test's sanitizer fails it if a timer were still pending here.
});

Deno.test("Waker: fifty streams waiting and woken again and again share one timer", async () => {
  const { Waker } = await import("../../../src/sources/source.ts");
  const wakers = Array.from({ length: 50 }, () => new Waker());
  const quiet = new Waker(); // a stream that stays waiting meanwhile
  const { set, value: { quietWait } } = await countingTimers(async () => {
    const quietWait = quiet.wait(1000);
    for (let round = 0; round < 20; round++) {
      const waits = wakers.map((w) => w.wait(2000));
      for (const w of wakers) w.wake();
      await Promise.all(waits);
    }
    return { quietWait }; // (not the promise itself: the async function would wait for it)
  });
  assertEquals(set, 1, `${set} timers for 1,000 waits`);
  quiet.wake();
  await quietWait;
  // A timeout still ends a wait nobody wakes.
  await wakers[0].wait(5);
});
