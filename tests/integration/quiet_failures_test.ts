/**
 * Every stream that cannot be followed is named on stderr, in text and JSON mode alike, and the
 * exit code says so: a symlink loop, a name too long, files refused for lack of descriptors.
 * @module
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { MAIN, ROOT, runS9s, testEnv } from "../_helpers/cli.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "s9s-quiet-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const LOOP = "Too many levels of symbolic links";

for (const mode of ["text", "json"]) {
  for (const follow of [true, false]) {
    const how = follow ? "following" : "with --no-follow";
    Deno.test(`stream -o ${mode} ${how} a symlink loop names it and exits 1`, async () => {
      await withDir(async (dir) => {
        await Deno.symlink(`${dir}/b`, `${dir}/a`);
        await Deno.symlink(`${dir}/a`, `${dir}/b`);
        const args = ["stream", "--path", `${dir}/a`, "-o", mode];
        const r = await runS9s(follow ? args : [...args, "--no-follow"], {
          env: testEnv(`${dir}/home`),
        });
        assertEquals(r.code, 1, r.stderr);
        assertEquals(r.stdout, "");
        const say = follow
          ? `cannot follow "${dir}/a": ${LOOP}`
          : `cannot open "${dir}/a": ${LOOP}`;
        assert(r.stderr.includes(`error: ${say}\n`), r.stderr);
        assert(!r.stderr.includes("bug in s9s"), r.stderr);
        assert(!r.stderr.includes("waits for a missing file"), r.stderr);
      });
    });
  }

  Deno.test(`stream -o ${mode} following a 256-character file name names it and exits 1`, async () => {
    await withDir(async (dir) => {
      const path = `${dir}/${"n".repeat(256)}`;
      const r = await runS9s(["stream", "--path", path, "-o", mode], {
        env: testEnv(`${dir}/home`),
      });
      assertEquals(r.code, 1, r.stderr);
      assertEquals(r.stdout, "");
      assert(r.stderr.includes(`error: cannot follow "${path}": File name too long\n`), r.stderr);
    });
  });
}

Deno.test("stream -o json without --events names every file refused for lack of descriptors", async () => {
  await withDir(async (dir) => {
    const paths: string[] = [];
    for (let i = 1; i <= 150; i++) {
      paths.push(`${dir}/f${i}.out`);
      await Deno.writeTextFile(paths[i - 1], `hello ${i}\n`);
    }
    await Deno.writeTextFile(`${dir}/c.yaml`, "streaming:\n  max_concurrent_streams: 5000\n");
    const args = [MAIN, "stream", "--config", `${dir}/c.yaml`, "-o", "json", "--no-follow"]
      .concat(...paths.map((p) => ["--path", p]));
    const out = await new Deno.Command("bash", {
      args: [
        "-c",
        `ulimit -n 128; exec "$@"`,
        "bash",
        Deno.execPath(),
        "run",
        "--quiet",
        "-A",
        "--unsafe-proto",
        ...args,
      ],
      env: testEnv(`${dir}/home`),
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    const stderr = new TextDecoder().decode(out.stderr);
    const read = new Set(stdout.trim().split("\n").map((l) => JSON.parse(l).content));
    assert(read.size > 0 && read.size < 150, `${read.size} files read`);
    for (let i = 1; i <= 150; i++) {
      if (read.has(`hello ${i}`)) continue;
      assert(
        stderr.includes(`error: cannot follow "${dir}/f${i}.out": too many open files`),
        `f${i}.out named nowhere: ${stderr.slice(0, 300)}`,
      );
    }
    assertEquals(out.code, 1);
  });
});
