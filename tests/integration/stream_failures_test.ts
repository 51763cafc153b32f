/**
 * Issue 23, points 3, 5 and 6 through the real CLI: a stream that stops on a failure s9s did not
 * foresee ends the command with exit 1 and its reason; a file's name is terminal text too (a
 * newline in it is shown, not obeyed); a bad config is reported before a missing file.
 */
import { assertEquals, assertStringIncludes } from "../_helpers/assert.ts";
import { runS9s, S9sProcess, testEnv } from "../_helpers/cli.ts";
import { tempHome } from "../_helpers/temp_dir.ts";

Deno.test("stream that stops on an unexpected error exits 1 with its one-line reason", async () => {
  const { dir, home } = await tempHome("s9s-fail-");
  const path = `${dir}/job.out`;
  // Waited for (its directory exists); then the name turns into a symbolic link to itself:
  // opening it fails with ELOOP, an error no part of s9s expects.
  const p = new S9sProcess(["stream", "--path", path], { env: testEnv(home) });
  try {
    await p.waitForStderr(`waiting for "${path}" to appear`);
    await Deno.symlink(path, path);
    const st = await p.finished();
    assertEquals(st.code, 1, `exit code; stderr: ${p.stderr}`);
    assertEquals(p.lines, [], "no output");
    const errors = p.stderr.split("\n").filter((l) => l.startsWith("error: "));
    assertEquals(errors.length, 1, p.stderr);
    assertStringIncludes(errors[0], `error: cannot follow "${path}": `);
    assertStringIncludes(errors[0], "symbolic links");
  } finally {
    await p.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stream shows a newline in a file's name visibly in its [label:type] prefix and its messages", async () => {
  const { dir, home } = await tempHome("s9s-fail-");
  const odd = `${dir}/\n`;
  await Deno.writeTextFile(odd, "first\n");
  await Deno.writeTextFile(`${dir}/plain`, "second\n");
  try {
    const r = await runS9s(["stream", "--path", odd, "--path", `${dir}/plain`, "--no-follow"], {
      env: testEnv(home),
    });
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stdout.split("\n").sort(), ["", "[plain:stdout] second", "[␊:stdout] first"]);
    const t = await runS9s([
      "stream",
      "--path",
      odd,
      "--no-follow",
      "--template",
      "{{job_id}} {{content}}",
    ], { env: testEnv(home) });
    assertEquals([t.code, t.stdout], [0, "␊ first\n"], t.stderr);
    const gone = await runS9s(["stream", "--path", `${dir}/\nnot-there`, "--no-follow"], {
      env: testEnv(home),
    });
    assertEquals(gone.code, 1);
    assertEquals(gone.stdout, "");
    assertStringIncludes(gone.stderr, `error: cannot open "${dir}/␊not-there": no such file\n`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stream checks the configuration before a missing --path file: exit 2, config error", async () => {
  const { dir, home } = await tempHome("s9s-fail-");
  await Deno.writeTextFile(`${dir}/bad.yaml`, "streaming:\n  polling_interval: often\n");
  try {
    const r = await runS9s([
      "stream",
      "--config",
      `${dir}/bad.yaml`,
      "--path",
      `${dir}/missing.out`,
      "--no-follow",
    ], { env: testEnv(home) });
    assertEquals(r.code, 2, r.stderr);
    assertEquals(r.stdout, "");
    assertStringIncludes(r.stderr, "streaming.polling_interval");
    assertEquals(r.stderr.includes("cannot open"), false, r.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
