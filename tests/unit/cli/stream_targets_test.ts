import { assertEquals, assertRejects } from "../../_helpers/assert.ts";
import { planTargets } from "../../../src/cli/stream_targets.ts";
import { UsageError } from "../../../src/errors.ts";

Deno.test("planTargets: one --path with jobs is where the jobs write", () => {
  assertEquals(planTargets(["1", "2"], ["out/%j.log"], "err/%j.log"), [
    { id: "1", path: "out/%j.log", stderrPath: "err/%j.log", fileOnly: false },
    { id: "2", path: "out/%j.log", stderrPath: "err/%j.log", fileOnly: false },
  ]);
});

Deno.test("planTargets: several --path beside jobs are files of their own, labelled uniquely", () => {
  assertEquals(planTargets(["7", "7"], ["a/x.log", "b/x.log", "c/7", "d/y.log", "d/y.log"]), [
    { id: "7", fileOnly: false },
    { id: "a/x.log", path: "a/x.log", stderrPath: undefined, fileOnly: true },
    { id: "b/x.log", path: "b/x.log", stderrPath: undefined, fileOnly: true },
    { id: "c/7", path: "c/7", stderrPath: undefined, fileOnly: true },
    { id: "y.log", path: "d/y.log", stderrPath: undefined, fileOnly: true },
  ]);
});

Deno.test("planTargets: nothing to stream, or --stderr-path without one --path, is a usage error", async () => {
  const cases: [string[], string[], string | undefined, RegExp][] = [
    [[], [], undefined, /^nothing to stream/],
    [["1"], [], "e", /^--stderr-path needs --path/],
    [[], ["a", "b"], "e", /^--stderr-path goes with one --path/],
  ];
  for (const [jobs, paths, err, message] of cases) {
    const e = await assertRejects(() => planTargets(jobs, paths, err), message);
    assertEquals(e instanceof UsageError, true);
  }
});
