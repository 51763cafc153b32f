import { checkSourceFlags, sourceStartOptions } from "../../../src/cli/stream_source.ts";
import { UsageError } from "../../../src/errors.ts";
import { assert, assertEquals, assertMatch } from "../../_helpers/assert.ts";

function usage(f: () => void): string {
  try {
    f();
  } catch (err) {
    assert(err instanceof UsageError, String(err));
    return err.message;
  }
  throw new Error("no UsageError");
}

Deno.test("--source and --node are checked against the other flags", () => {
  checkSourceFlags({ node: "n1", path: "/tmp/x" });
  checkSourceFlags({ job: ["12.0"] });
  checkSourceFlags({ job: ["12"], source: "ssh" });
  assertMatch(usage(() => checkSourceFlags({ node: "n1", job: ["1"], path: "/x" })), /--node/);
  assertMatch(usage(() => checkSourceFlags({ node: "n1" })), /give --path FILE/);
  assertMatch(usage(() => checkSourceFlags({ path: "/x", source: "ssh" })), /needs a node/);
  assertMatch(usage(() => checkSourceFlags({ job: ["12"], source: "api" })), /"12" is a job/);
  assertMatch(usage(() => checkSourceFlags({ job: ["12.batch"] })), /batch step of job 12/);
  assertMatch(
    usage(() => checkSourceFlags({ job: ["12.0"], source: "file" })),
    /only --source api/,
  );
});

Deno.test("a step becomes an api stream; anything else keeps its mode and node", () => {
  assertEquals(sourceStartOptions("12_3.1", {}).source, "api");
  assertEquals(sourceStartOptions("12", { source: "ssh" }), { source: "ssh", node: undefined });
  assertEquals(sourceStartOptions("x.log", { node: "n1" }), { source: "auto", node: "n1" });
});
