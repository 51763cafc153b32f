/**
 * `s9s stream` at the edges of its output and limits, through the real CLI: a reader that goes
 * away (`| head`), a stream limit exceeded, and config keys that change what is printed.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert";
import { waitFor } from "../_helpers/assert.ts";
import { MAIN, ROOT, runS9s, S9sProcess, testEnv } from "../_helpers/cli.ts";
import { tempHome } from "../_helpers/temp_dir.ts";

const numbered = (n: number) => [...Array(n)].map((_, i) => `line ${i + 1}`).join("\n") + "\n";

for (const format of ["text", "json"]) {
  Deno.test(`stream -o ${format} piped into head ends quietly with exit 0`, async () => {
    const { dir, home } = await tempHome();
    const path = `${dir}/big.out`;
    await Deno.writeTextFile(path, numbered(200_000));
    try {
      for (const follow of [["--no-follow"], []]) {
        // A real pipe into a real `head`, as a user types it; PIPESTATUS gives s9s's exit code.
        const script = `"$0" run -A --unsafe-proto "$1" stream --path "$2" -o ${format} ${
          follow.join(" ")
        } 2>"$3" | head -n 2 >/dev/null; echo "\${PIPESTATUS[0]}"`;
        const out = await new Deno.Command("bash", {
          args: ["-c", script, Deno.execPath(), MAIN, path, `${dir}/stderr`],
          cwd: ROOT,
          env: testEnv(home),
          stdout: "piped",
          stderr: "piped",
        }).output();
        const code = new TextDecoder().decode(out.stdout).trim();
        const stderr = await Deno.readTextFile(`${dir}/stderr`);
        strictEqual(code, "0", `exit code (${follow.join(" ") || "follow"}); stderr: ${stderr}`);
        strictEqual(stderr, "", `nothing on stderr (${follow.join(" ") || "follow"})`);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("stream reports streaming.max_concurrent_streams before any stream starts", async () => {
  const { dir, home } = await tempHome();
  try {
    // Jobs are looked up one after the other: the first ones used to start (and print) while
    // the later ones were looked up, and only then did the limit stop the command.
    const r = await runS9s(
      ["--mock", "stream", "--job", "1001", "--job", "1002", "--job", "1003", "-t", "stdout"],
      { env: testEnv(home, { S9S_STREAMING__MAX_CONCURRENT_STREAMS: "2" }) },
    );
    strictEqual(r.code, 1, r.stderr);
    strictEqual(r.stdout, "", "no line was printed");
    ok(r.stderr.startsWith("error: cannot start more than 2 concurrent streams"), r.stderr);
    ok(/^hint: /m.test(r.stderr), r.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("streaming.progress_updates in the config reports \\r progress states like --progress", async () => {
  const { dir, home } = await tempHome();
  const path = `${dir}/job.out`;
  await Deno.writeTextFile(path, "start\n");
  const p = new S9sProcess(["stream", "--path", path, "-o", "json"], {
    env: testEnv(home, { S9S_STREAMING__PROGRESS_UPDATES: "true" }),
  });
  try {
    await p.waitForLines(1);
    await Deno.writeTextFile(path, "train 10%\rtrain 20%\r", { append: true });
    const progress = () =>
      p.lines.map((l) => JSON.parse(l)).filter((e) => e.progress).map((e) => e.content);
    await waitFor(() => progress().includes("train 20%"));
    deepStrictEqual(progress().at(-1), "train 20%");
  } finally {
    await p.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
