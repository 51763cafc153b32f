/**
 * Small edges of `s9s stream`: a 20-digit job id is refused, not rounded; a closed pipe is
 * noticed while the followed file is quiet.
 * @module
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { ROOT, runS9s, s9sArgv, testEnv } from "../_helpers/cli.ts";

Deno.test("stream --job with a 20-digit id is refused as out of range, never rounded", async () => {
  const dir = await Deno.makeTempDir({ prefix: "s9s-edge-" });
  try {
    const r = await runS9s(["stream", "--mock", "--job", "99999999999999999999"], {
      env: testEnv(`${dir}/home`),
      cwd: dir,
    });
    assertEquals(
      r.stderr,
      'error: job id "99999999999999999999" is out of range\n' +
        "hint: Slurm job ids are whole numbers up to 4294967294\n",
    );
    assertEquals([r.code, r.stdout], [2, ""]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stream | head -1 on a quiet followed file ends at once, exit 0", async () => {
  const dir = await Deno.makeTempDir({ prefix: "s9s-edge-" });
  try {
    const path = `${dir}/job.out`;
    await Deno.writeTextFile(path, "one\ntwo\nthree\n");
    const quoted = [
      ...s9sArgv(),
      "stream",
      "--path",
      path,
    ].map((a) => `'${a}'`).join(" ");
    const child = new Deno.Command("bash", {
      args: ["-c", `${quoted} | head -1; echo "s9s exit: \${PIPESTATUS[0]}"`],
      env: testEnv(`${dir}/home`),
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // Before the fix s9s waited for the file's next line (never, here): a deadline.
    const t0 = Date.now();
    const timer = setTimeout(() => {
      // The pipeline's processes: bash's children (s9s and head), by pid.
      const kids = new TextDecoder().decode(
        new Deno.Command("pgrep", { args: ["-P", String(child.pid)], stdout: "piped" })
          .outputSync().stdout,
      ).trim().split("\n").filter(Boolean);
      for (const k of kids) Deno.kill(Number(k), "SIGKILL");
    }, 10_000);
    const out = await child.output();
    clearTimeout(timer);
    const ms = Date.now() - t0;
    assertEquals(new TextDecoder().decode(out.stdout), "one\ns9s exit: 0\n");
    assertEquals(new TextDecoder().decode(out.stderr), "");
    assert(ms < 5000, `took ${ms} ms`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
