import { assert, assertEquals, assertMatch } from "../../_helpers/assert.ts";
import { planTargets, type TargetFlags } from "../../../src/cli/stream_targets.ts";
import { UsageError } from "../../../src/errors.ts";

const plan = (jobs: string[], paths: string[], flags: Omit<TargetFlags, "jobs" | "paths"> = {}) =>
  planTargets({ jobs, paths, ...flags });

function usage(f: () => void): string {
  try {
    f();
  } catch (err) {
    assert(err instanceof UsageError, String(err));
    return err.message;
  }
  throw new Error("no UsageError");
}

Deno.test("planTargets: one --path with jobs is where the jobs write", () => {
  assertEquals(plan(["1", "2"], ["out/%j.log"], { stderrPath: "err/%j.log" }), [
    { kind: "job", jobId: "1", via: "auto", path: "out/%j.log", stderrPath: "err/%j.log" },
    { kind: "job", jobId: "2", via: "auto", path: "out/%j.log", stderrPath: "err/%j.log" },
  ]);
});

Deno.test("planTargets: several --path beside jobs are files of their own, labelled uniquely", () => {
  assertEquals(plan(["7", "7"], ["a/x.log", "b/x.log", "c/7", "d/y.log", "d/y.log"]), [
    { kind: "job", jobId: "7", via: "auto" },
    { kind: "file", label: "a/x.log", path: "a/x.log", stderrPath: undefined, node: undefined },
    { kind: "file", label: "b/x.log", path: "b/x.log", stderrPath: undefined, node: undefined },
    { kind: "file", label: "c/7", path: "c/7", stderrPath: undefined, node: undefined },
    { kind: "file", label: "y.log", path: "d/y.log", stderrPath: undefined, node: undefined },
  ]);
});

Deno.test("planTargets: nothing to stream, or --stderr-path without one --path, is a usage error", () => {
  const cases: [string[], string[], string | undefined, RegExp][] = [
    [[], [], undefined, /^nothing to stream/],
    [["1"], [], "e", /^--stderr-path needs --path/],
    [[], ["a", "b"], "e", /^--stderr-path goes with one --path/],
  ];
  for (const [jobs, paths, stderrPath, message] of cases) {
    assertMatch(usage(() => plan(jobs, paths, { stderrPath })), message);
  }
});

Deno.test("planTargets: --source and --node are checked against the targets", () => {
  plan([], ["/tmp/x"], { node: "n1" });
  plan(["12.0"], []);
  plan(["12"], [], { source: "ssh" });
  plan(["12"], ["/a", "/b"], { node: "n1" });
  assertMatch(usage(() => plan(["1"], ["/x"], { node: "n1" })), /--node reads --path files/);
  assertMatch(usage(() => plan(["1"], [], { node: "n1" })), /give --path FILE/);
  assertMatch(usage(() => plan([], ["/x"], { node: "n1", source: "file" })), /cannot go with/);
  assertMatch(usage(() => plan([], ["/x"], { source: "ssh" })), /needs a node/);
  assertMatch(usage(() => plan(["12"], [], { source: "api" })), /"12" is a job/);
  assertMatch(usage(() => plan(["12.0"], ["/x", "/y"], { source: "api" })), /--path files/);
  assertMatch(usage(() => plan(["12.batch"], [])), /batch step of job 12/);
  assertMatch(usage(() => plan(["12.0"], [], { source: "file" })), /only --source api/);
});

Deno.test("planTargets: a step is a step target; --node goes to plain files; jobs keep the mode", () => {
  assertEquals(plan(["12_3.1"], []), [{ kind: "step", jobId: "12_3", step: "1" }]);
  assertEquals(plan(["12_3.1"], [], { source: "api" }), [{
    kind: "step",
    jobId: "12_3",
    step: "1",
  }]);
  assertEquals(plan(["12"], [], { source: "ssh" }), [{ kind: "job", jobId: "12", via: "ssh" }]);
  const mixed = plan(["12"], ["/d/a.log", "/d/b.log"], { node: "n1" });
  assertEquals(mixed, [
    { kind: "job", jobId: "12", via: "auto" },
    { kind: "file", label: "a.log", path: "/d/a.log", stderrPath: undefined, node: "n1" },
    { kind: "file", label: "b.log", path: "/d/b.log", stderrPath: undefined, node: "n1" },
  ]);
});
