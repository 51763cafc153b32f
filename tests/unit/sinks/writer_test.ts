import { deepStrictEqual, rejects, strictEqual } from "node:assert";
import { waitFor } from "../../_helpers/assert.ts";
import {
  bestEffortOut,
  BrokenPipe,
  guardedOut,
  HIGH_WATER_CHARS,
  offer,
  OutputError,
  serialOut,
} from "../../../src/sinks/writer.ts";

/** A byte writer whose reader goes away after `open` writes. */
function pipe(open: number) {
  const dec = new TextDecoder();
  const got: string[] = [];
  let writes = 0;
  return {
    got,
    write(p: Uint8Array): Promise<number> {
      if (++writes > open) return Promise.reject(new Deno.errors.BrokenPipe("Broken pipe"));
      got.push(dec.decode(p));
      return Promise.resolve(p.length);
    },
  };
}

Deno.test("serialOut turns a closed pipe into BrokenPipe", async () => {
  const w = pipe(0);
  await rejects(serialOut(w).write("x\n"), BrokenPipe);
});

Deno.test("guardedOut ends quietly once the reader has gone, telling its owner once", async () => {
  const w = pipe(1);
  let closed = 0;
  let failed = 0;
  const out = guardedOut(serialOut(w), { onClosed: () => closed++, onFailed: () => failed++ });
  await out.write("one\n");
  await out.write("two\n"); // the pipe is closed now: no error
  await out.write("three\n");
  deepStrictEqual(w.got, ["one\n"]);
  deepStrictEqual([closed, failed], [1, 0]);
});

Deno.test("guardedOut hands a failed write to its owner, not to the writer's caller", async () => {
  const errs: unknown[] = [];
  const out = guardedOut(
    serialOut(
      { write: () => Promise.reject(new Error("No space left on device (os error 28)")) },
      "standard output",
    ),
    { onClosed: () => errs.push("closed"), onFailed: (e) => errs.push(e) },
  );
  await out.write("x\n");
  await out.write("y\n");
  strictEqual(errs.length, 1);
  strictEqual(errs[0] instanceof OutputError, true);
  strictEqual(
    (errs[0] as Error).message,
    "cannot write to standard output: No space left on device",
  );
});

Deno.test("bestEffortOut drops what cannot be written", async () => {
  const out = bestEffortOut({ write: () => Promise.reject(new Error("disk full")) });
  await out.write("warning\n");
});

Deno.test("serialOut writes a text longer than its buffer whole, characters never cut", async () => {
  const parts: Uint8Array[] = [];
  const out = serialOut({
    write(p: Uint8Array) {
      // A short write now and then: what was not taken must follow, in order.
      const n = parts.length % 3 === 1 ? Math.max(1, p.length >> 1) : p.length;
      parts.push(p.slice(0, n));
      return Promise.resolve(n);
    },
  });
  // Multi-byte characters at every alignment, well past the 256 KB buffer, twice.
  const text = "ab😀é€\n".repeat(60_000);
  await out.write(text);
  await out.write("end ü\n");
  deepStrictEqual(decodeAll(parts), text + "end ü\n");
});

Deno.test("serialOut keeps texts whole and in order while its buffer grows from a short text to a long one (pieces up to 256 KB)", async () => {
  const chunks: Uint8Array[] = [];
  const out = serialOut({
    write(p: Uint8Array) {
      chunks.push(p.slice());
      return Promise.resolve(p.length);
    },
  });
  const long = "ab😀é€\n".repeat(60_000);
  await out.write("first é\n");
  await out.write(long);
  await out.write("last ü\n");
  deepStrictEqual(decodeAll(chunks), `first é\n${long}last ü\n`);
  // The long text went out in pieces far larger than the first buffer, none past the cap.
  const largest = Math.max(...chunks.map((c) => c.length));
  deepStrictEqual(largest > 64 * 1024, true);
  deepStrictEqual(largest <= 256 * 1024, true);
});

/** The written pieces joined and decoded as strict UTF-8 (a cut character throws). */
function decodeAll(parts: Uint8Array[]): string {
  const all = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let off = 0;
  for (const p of parts) {
    all.set(p, off);
    off += p.length;
  }
  return new TextDecoder("utf-8", { fatal: true }).decode(all);
}

/** A byte writer whose writes complete only when the test says so. */
function gatedWriter() {
  const dec = new TextDecoder();
  const got: string[] = [];
  const gates: (() => void)[] = [];
  return {
    got,
    gates,
    write(p: Uint8Array): Promise<number> {
      got.push(dec.decode(p));
      return new Promise((resolve) => gates.push(() => resolve(p.length)));
    },
  };
}

Deno.test("offer lets writers go on at once below the high-water mark, makes them wait above it, and keeps their order", async () => {
  const w = gatedWriter();
  const out = guardedOut(serialOut(w), { onClosed: () => {}, onFailed: () => {} });
  // The first write is waited for: an output that fails at once is known before more is read.
  const first = offer(out, "a\n");
  strictEqual(first instanceof Promise, true);
  await waitFor(() => w.gates.length === 1);
  w.gates.shift()!();
  await first;
  // Taken at once, joined, one write.
  strictEqual(offer(out, "b\n"), undefined);
  strictEqual(offer(out, "c\n"), undefined);
  await waitFor(() => w.gates.length === 1);
  deepStrictEqual(w.got, ["a\n", "b\nc\n"]);
  // While that write is in flight, more than the mark piles up: the writer must wait for it.
  const big = "x".repeat(HIGH_WATER_CHARS) + "\n";
  const wait = offer(out, big);
  strictEqual(wait instanceof Promise, true);
  let settled = false;
  wait!.then(() => settled = true);
  await new Promise((r) => setTimeout(r, 0));
  strictEqual(settled, false, "nothing was written yet: the writer still waits");
  // Let the writes through one by one (the big text takes several) until the writer may go on.
  while (!settled) {
    await waitFor(() => w.gates.length > 0 || settled);
    w.gates.shift()?.();
  }
  strictEqual(offer(out, "d\n"), undefined, "below the mark again");
  await waitFor(() => w.got.at(-1) === "d\n");
  w.gates.shift()!();
  deepStrictEqual(w.got.join(""), "a\nb\nc\n" + big + "d\n");
});

Deno.test("offer: a text taken at once that cannot be written reaches the output's owner", async () => {
  let fail = false;
  const errs: unknown[] = [];
  const out = guardedOut(
    serialOut({
      write: (p: Uint8Array) =>
        fail
          ? Promise.reject(new Error("No space left on device (os error 28)"))
          : Promise.resolve(p.length),
    }, "standard output"),
    { onClosed: () => errs.push("closed"), onFailed: (e) => errs.push(e) },
  );
  await offer(out, "first\n");
  fail = true;
  strictEqual(offer(out, "second\n"), undefined);
  await waitFor(() => errs.length === 1);
  strictEqual(
    (errs[0] as Error).message,
    "cannot write to standard output: No space left on device",
  );
  strictEqual(offer(out, "third\n"), undefined, "the output is over: later texts are dropped");
});
