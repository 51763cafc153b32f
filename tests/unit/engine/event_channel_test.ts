import { deepStrictEqual, strictEqual } from "node:assert";
import { EventChannel } from "../../../src/engine/event_channel.ts";
import { waitFor } from "../../_helpers/assert.ts";

/** Settle within a deadline or fail (a stalled producer must fail the test, not hang it). */
function within<T>(p: Promise<T>, what: string, ms = 2000): Promise<T> {
  let t: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new Error(`${what} did not settle in ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(t));
}

Deno.test("EventChannel resumes both of two producers blocked at capacity", async () => {
  const ch = new EventChannel<string>({ capacity: 1 });
  const produce = async (name: string) => {
    for (let i = 0; i < 50; i++) await ch.push(`${name}${i}`);
  };
  const out = produce("out");
  const err = produce("err");
  await waitFor(() => ch.waitingProducers === 2, {
    what: "both producers to block",
    timeout: 2000,
    interval: 2,
  });
  const seen: string[] = [];
  const consumer = (async () => {
    for await (const ev of ch) seen.push(ev);
  })();
  await within(Promise.all([out, err]), "both producers");
  ch.end();
  await within(consumer, "the consumer");
  strictEqual(seen.length, 100);
  deepStrictEqual(seen.filter((s) => s.startsWith("out")), [...Array(50)].map((_, i) => `out${i}`));
  deepStrictEqual(seen.filter((s) => s.startsWith("err")), [...Array(50)].map((_, i) => `err${i}`));
});

Deno.test("EventChannel closes and wakes blocked producers when the consumer breaks early", async () => {
  let closed = 0;
  const ch = new EventChannel<number>({ capacity: 2, onClose: () => closed++ });
  const results: Promise<boolean>[] = [];
  for (let i = 0; i < 6; i++) results.push(ch.push(i));
  await waitFor(() => ch.waitingProducers === 4, {
    what: "four producers to block",
    timeout: 2000,
    interval: 2,
  });
  for await (const n of ch) {
    strictEqual(n, 0);
    break;
  }
  strictEqual(ch.closed, true);
  strictEqual(closed, 1);
  const settled = await within(Promise.all(results), "the blocked producers");
  // The first two went in before the break; the rest were refused, not left hanging.
  deepStrictEqual(settled, [true, true, true, false, false, false]);
  strictEqual(await ch.push(99), false, "a closed channel accepts nothing");
});

Deno.test("EventChannel drains what is queued after end, then stops", async () => {
  const ch = new EventChannel<number>();
  ch.pushNow(1);
  await ch.push(2);
  ch.end();
  const seen: number[] = [];
  for await (const n of ch) seen.push(n);
  deepStrictEqual(seen, [1, 2]);
});

Deno.test("EventChannel wakes a waiting consumer and producers when its signal aborts", async () => {
  const abort = new AbortController();
  const ch = new EventChannel<number>({ capacity: 1, signal: abort.signal });
  await ch.push(1);
  const blocked = ch.push(2);
  const seen: number[] = [];
  const consumer = (async () => {
    for await (const n of ch) {
      seen.push(n);
      await waitFor(() => ch.waitingProducers === 0 && ch.length === 1, {
        what: "the second push",
        timeout: 2000,
        interval: 2,
      });
      abort.abort();
    }
  })();
  await within(consumer, "the consumer");
  strictEqual(await within(blocked, "the producer"), true);
  deepStrictEqual(seen, [1]);
  strictEqual(ch.closed, true);
});
