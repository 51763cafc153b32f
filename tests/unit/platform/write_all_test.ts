import { deepStrictEqual } from "node:assert";
import { writeAll, writeAllSync } from "../../../src/platform/write_all.ts";

/** Takes at most `max` bytes per write, as a pipe or socket may. */
function shortWriter(max: number) {
  const got: number[] = [];
  return {
    got,
    write(p: Uint8Array): Promise<number> {
      return Promise.resolve(this.writeSync(p));
    },
    writeSync(p: Uint8Array): number {
      const n = Math.min(max, p.length);
      got.push(...p.subarray(0, n));
      return n;
    },
  };
}

const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);

Deno.test("writeAll writes every byte, in order, through short writes", async () => {
  const w = shortWriter(7);
  await writeAll(w, bytes);
  deepStrictEqual(Uint8Array.from(w.got), bytes);
});

Deno.test("writeAllSync writes every byte, in order, through short writes", () => {
  const w = shortWriter(13);
  writeAllSync(w, bytes);
  deepStrictEqual(Uint8Array.from(w.got), bytes);
});

Deno.test("writeAll counts what went out before a write failed", async () => {
  let calls = 0;
  const failing = {
    write(p: Uint8Array): Promise<number> {
      if (++calls > 3) return Promise.reject(new Error("No space left on device"));
      return Promise.resolve(Math.min(10, p.length));
    },
  };
  const sent = { written: 0 };
  await writeAll(failing, bytes, sent).then(
    () => Promise.reject(new Error("the failure was not passed on")),
    (err: Error) => deepStrictEqual(err.message, "No space left on device"),
  );
  deepStrictEqual(sent.written, 30);
});
