import { deepStrictEqual } from "node:assert";
import { abortable } from "../../../src/sources/abortable.ts";

Deno.test("abortable drops a failure that comes after the abort (no unhandled rejection)", async () => {
  const ac = new AbortController();
  ac.abort();
  const dir = await Deno.makeTempDir();
  await Deno.remove(dir);
  // The open fails after the caller stopped listening: the test fails on an unhandled rejection.
  deepStrictEqual(await abortable(Deno.open(`${dir}/gone.out`), ac.signal), undefined);
  let failed: unknown;
  const late = Promise.reject(new Error("late"));
  const ac2 = new AbortController();
  const waiting = abortable(
    late.catch((e) => {
      failed = e;
      throw e;
    }),
    ac2.signal,
  );
  ac2.abort();
  deepStrictEqual(await waiting, undefined);
  await new Promise((r) => setTimeout(r, 0));
  deepStrictEqual((failed as Error).message, "late");
});

Deno.test("abortable hands a value that arrives after the abort to `late` (a file is closed)", async () => {
  const path = await Deno.makeTempFile();
  try {
    const ac = new AbortController();
    let closedLate = false;
    const opening = Deno.open(path);
    const got = abortable(opening, ac.signal, (f) => {
      f.close();
      closedLate = true;
    });
    ac.abort();
    deepStrictEqual(await got, undefined);
    await opening;
    await new Promise((r) => setTimeout(r, 0));
    deepStrictEqual(closedLate, true);
    // And without an abort the value is the caller's.
    const f = await abortable(Deno.open(path), new AbortController().signal);
    deepStrictEqual(f instanceof Deno.FsFile, true);
    f!.close();
  } finally {
    await Deno.remove(path);
  }
});
