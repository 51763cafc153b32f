/**
 * `s9s stream --path F…` under the default `--type all`: a file is one stream against
 * `streaming.max_concurrent_streams` (stdout and stderr of a file that has neither), read once.
 */
import { assertEquals, assertStringIncludes } from "../_helpers/assert.ts";
import { runS9s, S9sProcess, testEnv } from "../_helpers/cli.ts";

async function files(n: number): Promise<{ dir: string; paths: string[] }> {
  const dir = await Deno.makeTempDir({ prefix: "s9s-limit-" });
  await Deno.mkdir(`${dir}/home`);
  const paths = Array.from({ length: n }, (_, i) => `${dir}/f${String(i).padStart(2, "0")}.log`);
  for (const [i, p] of paths.entries()) await Deno.writeTextFile(p, `first of ${i}\n`);
  return { dir, paths };
}

Deno.test("stream: 11 --path files under the default config are 11 streams, each read once", async () => {
  const { dir, paths } = await files(11);
  try {
    const args = ["stream", "-q", ...paths.flatMap((p) => ["--path", p])];
    const once = await runS9s([...args, "--no-follow"], { env: testEnv(`${dir}/home`) });
    assertEquals([once.code, once.stderr], [0, ""]);
    assertEquals(
      once.stdout.split("\n").filter(Boolean).sort(),
      paths.map((p, i) => `[${p.split("/").pop()}:stdout] first of ${i}`).sort(),
    );
    // Followed: a line appended to each comes out once (one reader per file).
    const s9s = new S9sProcess(args, { env: testEnv(`${dir}/home`) });
    try {
      await s9s.waitForLines(11);
      for (const [i, p] of paths.entries()) {
        await Deno.writeTextFile(p, `second of ${i}\n`, { append: true });
      }
      await s9s.waitForLines(22);
      const seconds = s9s.lines.filter((l) => l.includes("second of"));
      assertEquals(seconds.length, 11, s9s.lines.join("\n"));
      assertEquals(new Set(seconds).size, 11);
    } finally {
      await s9s.stop();
    }
    assertEquals(s9s.lines.length, 22, s9s.lines.join("\n"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stream: 21 --path files are over the default limit of 20 streams, exit 1", async () => {
  const { dir, paths } = await files(21);
  try {
    const r = await runS9s(["stream", "--no-follow", ...paths.flatMap((p) => ["--path", p])], {
      env: testEnv(`${dir}/home`),
    });
    assertEquals([r.code, r.stdout], [1, ""]);
    assertStringIncludes(r.stderr, "error: cannot start more than 20 concurrent streams");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
