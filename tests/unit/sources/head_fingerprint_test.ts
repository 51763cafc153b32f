import { assert } from "../../_helpers/assert.ts";
import { HEAD_MAX, HeadFingerprint } from "../../../src/sources/head_fingerprint.ts";

Deno.test("HeadFingerprint tells a changed byte anywhere in the head, word or tail", async () => {
  const path = await Deno.makeTempFile();
  const enc = new TextEncoder();
  try {
    for (const len of [1, 7, 1001, HEAD_MAX]) {
      const text = "abcdefgh".repeat(HEAD_MAX / 8).slice(0, len);
      for (const at of [0, Math.floor(len / 2), len - 1]) {
        await Deno.writeTextFile(path, text);
        const file = await Deno.open(path, { read: true });
        try {
          const fp = new HeadFingerprint();
          const buf = new Uint8Array(len);
          await file.read(buf);
          fp.extend(buf, len, 0);
          for (const sync of [true, false]) {
            assert(await fp.matches(file, len, sync), `len ${len}: unchanged matches`);
          }
          const changed = enc.encode(text.slice(0, at) + "Z" + text.slice(at + 1));
          await Deno.writeFile(path, changed); // O_TRUNC and write, same length
          for (const sync of [true, false]) {
            assert(!(await fp.matches(file, len, sync)), `len ${len}: byte ${at} changed`);
          }
        } finally {
          file.close();
        }
      }
    }
  } finally {
    await Deno.remove(path);
  }
});
