import { assert, assertEquals } from "../../_helpers/assert.ts";
import {
  bundledPath,
  bundlePacks,
  LAZY_MODULES,
  lazyImport,
  packExport,
  WORKER_MODULE,
} from "../../../src/platform/lazy_import.ts";
import { localGraph } from "../../../scripts/check_payload.ts";

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

Deno.test("the bundle's packs hold every lazily imported module and the worker, each once", () => {
  const packed = bundlePacks().flatMap(([, modules]) => modules);
  assertEquals(packed.toSorted(), [...LAZY_MODULES, WORKER_MODULE].toSorted());
  const names = packed.map(packExport);
  assertEquals(new Set(names).size, names.length);
  // Pack files are named apart, and every module's file is its pack's.
  const files = bundlePacks().map(([pack]) => `${pack}.js`);
  assertEquals(new Set(files).size, files.length);
  for (const [pack, modules] of bundlePacks()) {
    for (const m of modules) assertEquals(bundledPath(m), `${pack}.js`);
  }
  // A module in no pack is an entry point by itself.
  assertEquals(bundledPath("src/cli/program.ts"), "front.js");
  assertEquals(bundledPath("src/config/yaml.ts"), "config-yaml.js");
});

Deno.test("`s9s stream` loads neither the api source nor the Slurm command runner before a job needs them", async () => {
  const graph = new Set(await localGraph("src/cli/stream.ts"));
  assert(
    graph.has("src/engine/job_watch.ts") && graph.has("src/cli/stream_targets.ts"),
    "graph read",
  );
  for (const m of ["src/sources/sattach.ts", "src/cluster/slurm_command.ts"]) {
    assert(!graph.has(m), `${m} is on the start-up path of s9s stream`);
  }
});
