/**
 * The README's test command (scripts/test.ts) when one test kills `deno test` (the kernel's OOM
 * killer did, after a runaway job): the tests that passed are counted, the file that died is one
 * failure, and the files after it still run. Fixture: fixtures/test_runner_crash/.
 */
import { assert, assertEquals, assertStringIncludes } from "../_helpers/assert.ts";
import { MAX_KEPT_LINES, ROOT, S9sProcess, testEnv } from "../_helpers/cli.ts";
import { sh } from "../_helpers/command.ts";

Deno.test("scripts/test.ts counts what passed when deno test is killed, and runs the files after", async () => {
  const o = await sh([Deno.execPath(), "task", "-q", "test", "fixtures/test_runner_crash/"], {
    cwd: ROOT,
    env: { NO_COLOR: "1", S9S_TEST_NO_SETUP: "1", CI: "" },
  });
  const out = o.stdout;
  assertEquals(o.code, 1, out);
  assertStringIncludes(out, "a one ... ok");
  assertStringIncludes(out, "a two ... ok");
  assertStringIncludes(out, "c runs after the crash ... ok");
  assertStringIncludes(out, "while running fixtures/test_runner_crash/b_test.ts");
  // What deno test reported passed, and no more: "b passes first" is among them only when its
  // "ok" was written before the kill (deno test writes it a moment after the test ends).
  const passed = out.split("\n").filter((l) => / \.\.\. ok \(/.test(l)).length;
  assert(passed === 3 || passed === 4, out);
  assert(out.trimEnd().endsWith(`\n${passed} passed, 1 failed, 0 skipped`), out);
});

Deno.test("S9sProcess keeps a bounded number of lines from a runaway s9s, and counts the rest", async () => {
  const dir = await Deno.makeTempDir({ prefix: "s9s-bounded-" });
  try {
    const n = MAX_KEPT_LINES + 50_000;
    await Deno.writeTextFile(`${dir}/flood.log`, "spin\n".repeat(n));
    const p = new S9sProcess(["stream", "--no-follow", "-q", "--path", `${dir}/flood.log`], {
      env: testEnv(`${dir}/home`, { S9S_STREAMING__PERSISTENCE__ENABLED: "false" }),
    });
    const st = await p.finished();
    assertEquals([st.code, p.lines.length, p.dropped], [0, MAX_KEPT_LINES, 50_000]);
    await p.waitForLines(n);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
