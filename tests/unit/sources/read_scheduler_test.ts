import { assertEquals, waitFor } from "../../_helpers/assert.ts";
import { ReadScheduler, type ScheduledReader } from "../../../src/sources/read_scheduler.ts";

/** A reader that counts its turns and answers with `next` (a number or a promise). */
function counter(next: () => number | Promise<number> = () => Infinity) {
  const r = { turns: 0, turn: () => (r.turns++, next()) };
  return r satisfies ScheduledReader;
}

Deno.test("ReadScheduler runs fifty woken readers in one turn, then waits for the next wake", async () => {
  let flushes = 0;
  const s = new ReadScheduler({ afterTurn: () => flushes++ });
  try {
    const readers = Array.from({ length: 50 }, () => counter());
    const handles = readers.map((r) => s.add(r));
    await waitFor(() => readers.every((r) => r.turns === 1), { what: "first turns" });
    assertEquals([s.turns, flushes], [1, 1]);
    for (const h of handles) h.wake();
    await waitFor(() => readers.every((r) => r.turns === 2), { what: "woken turns" });
    assertEquals([s.turns, flushes], [2, 2]);
    // Nothing is due (Infinity) and nothing woke: the next turn is a later reader's alone.
    const probe = counter();
    s.add(probe, 20);
    await waitFor(() => probe.turns === 1, { what: "the probe's turn" });
    assertEquals([s.turns, readers.every((r) => r.turns === 2)], [3, true]);
  } finally {
    s.close();
  }
});

Deno.test("ReadScheduler polls due readers on one timer, together", async () => {
  const s = new ReadScheduler();
  try {
    const readers = Array.from({ length: 20 }, () => counter(() => 5));
    for (const r of readers) s.add(r);
    await waitFor(() => readers.every((r) => r.turns >= 5), { what: "five polls each" });
    // Due at the same moments, they ran in the same turns: one turn per poll, not one per reader.
    const most = Math.max(...readers.map((r) => r.turns));
    assertEquals(s.turns <= most + 1, true, `${s.turns} turns for ${most} polls each`);
  } finally {
    s.close();
  }
});

Deno.test("ReadScheduler gives a reader with work in progress no turn until it settles", async () => {
  const s = new ReadScheduler();
  try {
    let release = () => {};
    const busy = counter(() => new Promise<number>((r) => release = () => r(Infinity)));
    const h = s.add(busy);
    await waitFor(() => busy.turns === 1, { what: "first turn" });
    h.wake(); // during the work: remembered, not run
    const probe = counter();
    s.add(probe, 10);
    await waitFor(() => probe.turns === 1, { what: "a later turn" });
    assertEquals(busy.turns, 1);
    release();
    await waitFor(() => busy.turns === 2, { what: "the wake's turn once settled" });
  } finally {
    s.close();
  }
});

Deno.test("ReadScheduler drops a reader that fails and runs the others", async () => {
  const errors: unknown[] = [];
  const s = new ReadScheduler({ onError: (e) => errors.push(e) });
  try {
    const bad = counter(() => {
      throw new Error("boom");
    });
    const rejecting = counter(() => Promise.reject(new Error("late boom")));
    const good = counter(() => 5);
    const hb = s.add(bad);
    s.add(rejecting);
    s.add(good);
    await waitFor(() => good.turns >= 3 && errors.length === 2, { what: "good turns, 2 errors" });
    hb.wake();
    const n = good.turns;
    await waitFor(() => good.turns > n, { what: "a later turn" });
    assertEquals([bad.turns, rejecting.turns, s.size], [1, 1, 1]);
  } finally {
    s.close();
  }
});

Deno.test("ReadScheduler runs no reader after close (its own or the scheduler's)", async () => {
  const s = new ReadScheduler();
  const a = counter(() => 2);
  const b = counter(() => 2);
  const ha = s.add(a);
  s.add(b);
  await waitFor(() => a.turns >= 2 && b.turns >= 2, { what: "a few turns" });
  ha.close();
  const na = a.turns;
  const nb = b.turns;
  await waitFor(() => b.turns > nb + 1, { what: "b goes on" });
  assertEquals(a.turns, na);
  s.close();
  const nb2 = b.turns;
  // Another scheduler's reader due in 20 ms: by its turn, b would have had several.
  const clock = new ReadScheduler();
  const probe = counter();
  clock.add(probe, 20);
  await waitFor(() => probe.turns === 1, { what: "the probe's turn" });
  clock.close();
  assertEquals(b.turns, nb2);
});

Deno.test("ReadScheduler serves a wake after a quiet spell before any timer, and joins wakes within the gap", async () => {
  const s = new ReadScheduler({ gapMs: 50 });
  try {
    const a = counter();
    const b = counter();
    const ha = s.add(a, Infinity);
    const hb = s.add(b, Infinity);
    // Quiet so far: a wake is served once the current task's microtasks are done, before a
    // zero-delay timer set at the same time.
    let timerFirst = false;
    setTimeout(() => timerFirst = a.turns === 0, 0);
    ha.wake();
    await Promise.resolve();
    await Promise.resolve();
    assertEquals([a.turns, s.turns], [1, 1]);
    // Woken again within the gap, one after the other: they wait and share one turn.
    ha.wake();
    await new Promise((r) => setTimeout(r, 5)); // (a second wake from a later task)
    hb.wake();
    assertEquals(a.turns, 1, "a wake within the gap waits");
    await waitFor(() => a.turns === 2 && b.turns === 1, { what: "the shared turn" });
    assertEquals([s.turns, timerFirst], [2, false]);
  } finally {
    s.close();
  }
});
