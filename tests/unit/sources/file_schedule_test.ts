import { fileReadTurns, FileSource } from "../../../src/sources/file.ts";
import { WatchHub } from "../../../src/sources/watch_hub.ts";
import { batchLines } from "../../../src/core/line_batch.ts";
import { assert, assertEquals, waitFor } from "../../_helpers/assert.ts";

Deno.test("FileSource: a write to each of twenty followed files is read in a few scheduler turns, not one per file", async () => {
  const dir = await Deno.makeTempDir();
  const hub = new WatchHub();
  const ac = new AbortController();
  const files = 20;
  const got: string[][] = Array.from({ length: files }, () => []);
  const live = new Set<number>();
  const runs: Promise<void>[] = [];
  try {
    for (let i = 0; i < files; i++) {
      const path = `${dir}/f${i}.log`;
      Deno.writeTextFileSync(path, "");
      const src = new FileSource(path, { watchHub: hub, signal: ac.signal });
      runs.push(src.run({
        batch: (b) => void got[i].push(...batchLines(b)),
        status: (s) => void (s.state === "live" && live.add(i)),
      }));
    }
    await waitFor(() => live.size === files && hub.watching === 1, { what: "every file watched" });
    // (a first read of each happens after it goes live: let those turns pass)
    await waitFor(() => got.every((g) => g.length === 0) && fileReadTurns() > 0);
    const before = fileReadTurns();
    for (let i = 0; i < files; i++) {
      Deno.writeTextFileSync(`${dir}/f${i}.log`, `line of ${i}\n`, { append: true });
    }
    await waitFor(() => got.every((g) => g.length === 1), { what: "a line from every file" });
    const turns = fileReadTurns() - before;
    assertEquals(got.map((g) => g[0]), got.map((_, i) => `line of ${i}`));
    assert(turns >= 1 && turns <= files / 4, `${turns} turns read ${files} files`);
  } finally {
    ac.abort();
    await Promise.all(runs);
    hub.close();
    await Deno.remove(dir, { recursive: true });
  }
});
