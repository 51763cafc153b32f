import { assertEquals } from "../../_helpers/assert.ts";
import { tempHome } from "../../_helpers/temp_dir.ts";
import { ActiveMarker, activeSessions } from "../../../src/persist/active_sessions.ts";
import { historyEntries } from "../../../src/persist/history_dir.ts";

const readActive = async (dir: string) =>
  activeSessions(dir, (await historyEntries(dir)).map((e) => e.name));

Deno.test("ActiveMarker leaves the latest set on disk when many streams start at once", async () => {
  const { dir } = await tempHome();
  const marker = new ActiveMarker(dir);
  const ids: string[] = [];
  const writes: Promise<void>[] = [];
  for (let i = 0; i < 50; i++) {
    ids.push(`s${i}`);
    writes.push(marker.update(ids));
  }
  await Promise.all(writes);
  assertEquals([...await readActive(dir)].sort(), [...ids].sort());
  // Only the marker itself is left: no part-written copy beside it.
  const names = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  assertEquals(names.filter((n) => n !== "home").length, 1, names.join(", "));
  await marker.update([]);
  assertEquals((await readActive(dir)).size, 0);
  await Deno.remove(dir, { recursive: true });
});
