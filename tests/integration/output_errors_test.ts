/**
 * What s9s does when its own output cannot be written: stdout on a full device ends the command
 * with exit 1 and one line naming the output; stderr on a full device (warnings) never stops the
 * data on stdout.
 * @module
 */
import { assert, assertEquals, assertStringIncludes, waitFor } from "../_helpers/assert.ts";
import { ROOT, s9sArgv, testEnv } from "../_helpers/cli.ts";
import { closedPort } from "../_helpers/net.ts";

const NO_SPACE = "error: cannot write to standard output: No space left on device\n";

function isRoot(): boolean {
  try {
    return Deno.uid() === 0;
  } catch {
    return false;
  }
}

/**
 * `s9s ARGS >OUT 2>ERR`, started through bash so that stdout and stderr can be any file
 * (/dev/full, a file on a small tmpfs); `err` "pipe" keeps stderr readable.
 */
function s9sTo(args: string[], out: string, err: string, env: Record<string, string>) {
  const errRedir = err === "pipe" ? "" : `2>'${err}'`;
  return new Deno.Command("bash", {
    args: [
      "-c",
      `exec "$@" >'${out}' ${errRedir}`,
      "bash",
      ...s9sArgv(),
      ...args,
    ],
    env,
    cwd: ROOT,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  });
}

for (const mode of ["text", "json"]) {
  Deno.test(`stream ${mode} into /dev/full exits 1 naming standard output, not the input`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "s9s-out-" });
    try {
      const path = `${dir}/f.log`;
      await Deno.writeTextFile(path, "line\n".repeat(1000));
      const out = await s9sTo(
        ["stream", "--path", path, "--no-follow", "-o", mode],
        "/dev/full",
        "pipe",
        testEnv(`${dir}/home`),
      ).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assertEquals(stderr, NO_SPACE);
      assertEquals(out.code, 1);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

for (const mode of ["text", "json"]) {
  Deno.test({
    name:
      `stream ${mode} following into a filesystem that fills up stops with exit 1, no line lost before it`,
    ignore: !isRoot(),
    fn: async () => {
      const dir = await Deno.makeTempDir({ prefix: "s9s-out-" });
      const mnt = `${dir}/small`;
      await Deno.mkdir(mnt);
      const mount = await new Deno.Command("mount", {
        args: ["-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt],
      }).output();
      assert(mount.success, new TextDecoder().decode(mount.stderr));
      try {
        const path = `${dir}/f.log`;
        await Deno.writeTextFile(path, "");
        const child = s9sTo(
          ["stream", "--path", path, "-o", mode],
          `${mnt}/out`,
          "pipe",
          testEnv(`${dir}/home`),
        ).spawn();
        let stderr = "";
        const pump = (async () => {
          for await (const c of child.stderr) stderr += new TextDecoder().decode(c);
        })();
        let ended = false;
        const status = child.status.then((s) => (ended = true, s));
        // Lines come in batches while s9s follows, until the 64 KiB are full.
        let n = 0;
        await waitFor(async () => {
          if (ended) return true;
          let text = "";
          for (let i = 0; i < 100; i++) text += `line ${++n} ${"x".repeat(40)}\n`;
          await Deno.writeTextFile(path, text, { append: true });
          return false;
        }, { timeout: 30_000, interval: 10, what: "s9s to stop on the full filesystem" });
        const st = await status;
        await pump;
        assertEquals(stderr, NO_SPACE);
        assertEquals(st.code, 1);
        // What reached the file is the input from its start, in order, with no line missing
        // (the last one may be cut where the space ran out).
        const got = (await Deno.readTextFile(`${mnt}/out`)).split("\n");
        got.pop();
        assert(got.length > 100, `only ${got.length} lines written`);
        for (let i = 0; i < got.length; i++) {
          const want = `line ${i + 1} ${"x".repeat(40)}`;
          const line = mode === "json" ? JSON.parse(got[i]).content : got[i];
          assertEquals(line, want, `line ${i + 1}`);
        }
      } finally {
        await new Deno.Command("umount", { args: ["-l", mnt] }).output();
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

const WARNINGS: { what: string; args: (dir: string) => string[]; logged: RegExp }[] = [
  {
    what: "a metrics push that failed",
    args: () => ["--export-metrics", `prometheus://127.0.0.1:${closedPort()}?interval=200ms`],
    logged: /METRICS \[\d+\] push .* failed/,
  },
  {
    what: "a syslog target that is down",
    args: () => ["--forward", `syslog+tcp://127.0.0.1:${closedPort()}`],
    logged: /SYSLOG \[\d+\] send .* failed/,
  },
  {
    what: "an unwritable history directory",
    args: (dir) => ["--config", `${dir}/c.yaml`],
    logged: /history: disabled/,
  },
];

for (const w of WARNINGS) {
  Deno.test(`stream goes on with stderr on a full device after ${w.what}`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "s9s-out-" });
    const home = `${dir}/home`;
    try {
      const path = `${dir}/f.log`;
      await Deno.writeTextFile(path, "one\n");
      // A file where the history directory should be: it cannot be created.
      await Deno.writeTextFile(`${dir}/nodir`, "");
      await Deno.writeTextFile(
        `${dir}/c.yaml`,
        `streaming:\n  persistence:\n    directory: ${dir}/nodir/history\n`,
      );
      const child = new Deno.Command("bash", {
        args: [
          "-c",
          `exec "$@" 2>/dev/full`,
          "bash",
          ...s9sArgv(),
          "stream",
          "--path",
          path,
          ...w.args(dir),
        ],
        env: testEnv(home, { S9S_STREAMING_DEBUG: "true" }),
        cwd: ROOT,
        stdin: "null",
        stdout: "piped",
        stderr: "null",
      }).spawn();
      let stdout = "";
      const pump = (async () => {
        for await (const c of child.stdout) stdout += new TextDecoder().decode(c);
      })();
      let ended = false;
      const status = child.status.then((s) => (ended = true, s));
      try {
        // The warning was due (the debug log says what failed), then more lines still come.
        await waitFor(async () => {
          if (ended) return true;
          return w.logged.test(await Deno.readTextFile(`${home}/debug.log`).catch(() => ""));
        }, { timeout: 20_000, what: `the debug log to show ${w.logged}` });
        await Deno.writeTextFile(path, "two\n", { append: true });
        await waitFor(() => ended || stdout.includes("two\n"), {
          timeout: 20_000,
          what: `the next line after the warning; stdout: ${stdout}`,
        });
        assert(!ended, `s9s ended after the warning; stdout: ${JSON.stringify(stdout)}`);
        assertStringIncludes(stdout, "one\ntwo\n");
      } finally {
        if (!ended) child.kill("SIGTERM");
        const st = await status;
        await pump;
        assertEquals(st.code, 130, `exit code; stdout: ${stdout}`);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
