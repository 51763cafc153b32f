import { assertEquals } from "../../_helpers/assert.ts";
import { spillFileName, spillOwner } from "../../../src/engine/spill_dir.ts";

Deno.test("a spill file's name gives back the process that wrote it; other names give none", () => {
  for (const name of [undefined, "123_4:stdout", "a/b c", "x".repeat(200), ""]) {
    const file = spillFileName(name);
    assertEquals(spillOwner(file), Deno.pid, file);
    assertEquals(/^[A-Za-z0-9_.-]+$/.test(file), true, file);
  }
  assertEquals(spillFileName().startsWith(`${Deno.pid}-stream-`), true);
  for (const other of ["index.json", "abc-1.gz", "123-x.log", "-1-x.gz"]) {
    assertEquals(spillOwner(other), undefined, other);
  }
});
