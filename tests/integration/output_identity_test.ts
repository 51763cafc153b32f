/**
 * Outputs that are an input (by device and inode, through symlinks) are refused before anything
 * is opened: the followed file is never truncated or fed its own lines.
 * @module
 */
import { assertEquals } from "../_helpers/assert.ts";
import { ROOT, runS9s, s9sArgv, testEnv } from "../_helpers/cli.ts";

async function withFile(fn: (dir: string, path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "s9s-ident-" });
  try {
    const path = `${dir}/job.out`;
    await Deno.writeTextFile(path, "one\ntwo\nthree\nfour\nfive\n");
    await fn(dir, path);
    assertEquals(await Deno.readTextFile(path), "one\ntwo\nthree\nfour\nfive\n", "input intact");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("stream --save onto the followed file (through a symlink) is refused, the file intact", async () => {
  await withFile(async (dir, path) => {
    await Deno.symlink(path, `${dir}/link.out`);
    const r = await runS9s(["stream", "--path", path, "--no-follow", "--save", `${dir}/link.out`], {
      env: testEnv(`${dir}/home`),
    });
    assertEquals(
      r.stderr,
      `error: --save "${dir}/link.out" is the input file "${path}"\n` +
        "hint: save to another file: --save would overwrite the file being followed\n",
    );
    assertEquals([r.code, r.stdout], [2, ""]);
  });
});

Deno.test("stream with stdout appended to the followed file is refused", async () => {
  await withFile(async (dir, path) => {
    await Deno.symlink(path, `${dir}/link.out`);
    const child = new Deno.Command("bash", {
      args: [
        "-c",
        `exec "$@" >>'${dir}/link.out'`,
        "bash",
        ...s9sArgv(),
        "stream",
        "--path",
        path,
      ],
      env: testEnv(`${dir}/home`),
      cwd: ROOT,
      stdin: "null",
      stderr: "piped",
    }).spawn();
    // Before the fix s9s read its own lines back forever (and grew the file): a deadline.
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    const out = await child.output();
    clearTimeout(timer);
    assertEquals(
      new TextDecoder().decode(out.stderr),
      `error: standard output is the input file "${path}"\n` +
        "hint: redirect the output to another file: s9s would read its own lines back\n",
    );
    assertEquals(out.code, 2);
  });
});

Deno.test("stream of a file inside the history directory is refused", async () => {
  await withFile(async (dir, path) => {
    await Deno.writeTextFile(
      `${dir}/c.yaml`,
      `streaming:\n  persistence:\n    directory: ${dir}\n`,
    );
    const r = await runS9s(["stream", "--config", `${dir}/c.yaml`, "--path", path, "--no-follow"], {
      env: testEnv(`${dir}/home`),
    });
    assertEquals(
      r.stderr,
      `error: "${path}" is in the history directory "${dir}"\n` +
        "hint: follow a file outside streaming.persistence.directory, or set that directory elsewhere\n",
    );
    assertEquals([r.code, r.stdout], [2, ""]);
  });
});
