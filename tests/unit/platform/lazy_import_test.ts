import { assert, assertEquals } from "../../_helpers/assert.ts";
import { LAZY_MODULES, lazyImport } from "../../../src/platform/lazy_import.ts";

const ROOT = new URL("../../../", import.meta.url);

Deno.test("LAZY_MODULES names files that exist, each once", () => {
  for (const m of LAZY_MODULES) {
    assert(Deno.statSync(new URL(m, ROOT)).isFile, `${m} is not a file`);
  }
  assertEquals(new Set(LAZY_MODULES).size, LAZY_MODULES.length);
});

Deno.test("lazyImport loads a listed module by its path from the repository root", async () => {
  const v = await lazyImport<typeof import("../../../src/version.ts")>("src/version.ts");
  assertEquals(typeof v.VERSION, "string");
});
