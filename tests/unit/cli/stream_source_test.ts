import { type SourceFlags, sourceTargets } from "../../../src/cli/stream_source.ts";
import { planTargets } from "../../../src/cli/stream_targets.ts";
import { UsageError } from "../../../src/errors.ts";
import { assert, assertEquals, assertMatch } from "../../_helpers/assert.ts";

const plan = (jobs: string[], paths: string[], flags: SourceFlags) =>
  sourceTargets(planTargets(jobs, paths), flags);

function usage(f: () => void): string {
  try {
    f();
  } catch (err) {
    assert(err instanceof UsageError, String(err));
    return err.message;
  }
  throw new Error("no UsageError");
}

Deno.test("--source and --node are checked against the targets", () => {
  plan([], ["/tmp/x"], { node: "n1" });
  plan(["12.0"], [], {});
  plan(["12"], [], { source: "ssh" });
  plan(["12"], ["/a", "/b"], { node: "n1" });
  assertMatch(usage(() => plan(["1"], ["/x"], { node: "n1" })), /--node reads --path files/);
  assertMatch(usage(() => plan(["1"], [], { node: "n1" })), /give --path FILE/);
  assertMatch(usage(() => plan([], ["/x"], { node: "n1", source: "file" })), /cannot go with/);
  assertMatch(usage(() => plan([], ["/x"], { source: "ssh" })), /needs a node/);
  assertMatch(usage(() => plan(["12"], [], { source: "api" })), /"12" is a job/);
  assertMatch(usage(() => plan(["12.0"], ["/x", "/y"], { source: "api" })), /--path files/);
  assertMatch(usage(() => plan(["12.batch"], [], {})), /batch step of job 12/);
  assertMatch(usage(() => plan(["12.0"], [], { source: "file" })), /only --source api/);
});

Deno.test("a step becomes an api stream; --node goes to plain files; jobs keep the mode", () => {
  assertEquals(plan(["12_3.1"], [], {}), [{
    id: "12_3.1",
    fileOnly: true,
    path: "sattach:12_3.1:stdout",
    stderrPath: "sattach:12_3.1:stderr",
    source: "api",
  }]);
  assertEquals(plan(["12"], [], { source: "ssh" }), [
    { id: "12", fileOnly: false, source: "ssh", node: undefined },
  ]);
  const mixed = plan(["12"], ["/d/a.log", "/d/b.log"], { node: "n1" });
  assertEquals(mixed.map((t) => [t.id, t.source, t.node]), [
    ["12", "auto", undefined],
    ["a.log", "auto", "n1"],
    ["b.log", "auto", "n1"],
  ]);
  assertEquals(plan(["12"], ["/d/out_%j"], {})[0].path, "/d/out_%j");
});
