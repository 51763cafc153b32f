import { deepStrictEqual, rejects, strictEqual } from "node:assert";
import {
  bestEffortOut,
  BrokenPipe,
  guardedOut,
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
  const all = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let off = 0;
  for (const p of parts) {
    all.set(p, off);
    off += p.length;
  }
  deepStrictEqual(new TextDecoder("utf-8", { fatal: true }).decode(all), text + "end ü\n");
});
