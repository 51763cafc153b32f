/**
 * Messages a new user meets first: a mistyped option or state gets a hint, help lists the
 * options a command takes, an error is said once, a build script's missing input is one clean
 * line. stdout, stderr and the exit code, with NO_COLOR=1.
 */
import { assertEquals, assertStringIncludes, waitFor } from "../_helpers/assert.ts";
import { ROOT, runS9s, S9sProcess, testEnv } from "../_helpers/cli.ts";
import { sh } from "../_helpers/command.ts";
import { TEST_USER, testUserArgs, testUserDenoDir } from "../_helpers/test_user.ts";

async function answer(args: string[]) {
  const home = await Deno.makeTempDir({ prefix: "s9s-msg-" });
  try {
    return await runS9s(args, { env: testEnv(home) });
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

Deno.test("a mistyped --follow gets a hint naming the default and --no-follow, exit 2", async () => {
  const r = await answer(["stream", "--mock", "--job", "1001", "--folow"]);
  assertEquals([r.code, r.stdout, r.stderr], [
    2,
    "",
    'error: unknown option "--folow"\nhint: "--follow" is the default; "--no-follow" turns it off\n',
  ]);
  const g = await answer(["stream", "--mock", "--job", "1001", "--mok"]);
  assertEquals([g.code, g.stderr], [
    2,
    'error: unknown option "--mok"\nhint: did you mean "--mock"?\n',
  ]);
});

Deno.test("jobs --state refuses a state Slurm does not have, with a did-you-mean, exit 2", async () => {
  const r = await answer(["jobs", "--mock", "--state", "RUNING"]);
  assertEquals([r.code, r.stdout, r.stderr], [
    2,
    "",
    'error: --state: unknown job state "RUNING"\nhint: did you mean "RUNNING"?\n',
  ]);
  const ok = await answer(["jobs", "--mock", "--state", "running,PENDING"]);
  assertEquals([ok.code, ok.stderr], [0, ""]);
  assertStringIncludes(ok.stdout, "RUNNING");
});

Deno.test("stream --help lists the global options it accepts (--mock, --config)", async () => {
  const r = await answer(["stream", "--help"]);
  assertEquals([r.code, r.stderr], [0, ""]);
  for (const flag of ["--mock", "--config <file>", "--debug", "--job <id>"]) {
    assertStringIncludes(r.stdout, flag);
  }
});

Deno.test("check-payload on a missing binary is one error and a hint, no stack trace", async () => {
  const o = await sh([Deno.execPath(), "task", "-q", "check-payload", "dist/no-such-s9s"], {
    cwd: ROOT,
    env: { NO_COLOR: "1" },
  });
  assertEquals([o.code, o.stdout, o.stderr], [
    1,
    "",
    'error: cannot read "dist/no-such-s9s": No such file or directory (os error 2): ' +
    "readfile 'dist/no-such-s9s'\n" +
    "hint: build it first with `deno task -q compile` (a stand-in build is dist/s9s-standin)\n",
  ]);
});

Deno.test({
  name: "a file the user may not read is reported once, as error and hint, exit 1",
  ignore: Deno.uid() !== 0,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "s9s-msg-perm-" });
    try {
      await Deno.chmod(dir, 0o755);
      const home = `${dir}/home`;
      await Deno.mkdir(home);
      await Deno.writeTextFile(`${dir}/secret.log`, "secret\n", { mode: 0o600 });
      const denoDir = await testUserDenoDir(dir, [home]);
      for (const follow of [[], ["--no-follow"]]) {
        const args = await testUserArgs(
          { NO_COLOR: "1", HOME: home, S9S_HOME: home, DENO_DIR: denoDir },
          ["stream", "--path", `${dir}/secret.log`, ...follow],
        );
        const o = await sh(["runuser", ...args], { cwd: dir });
        assertEquals([o.code, o.stdout, o.stderr], [
          1,
          "",
          `error: permission denied reading "${dir}/secret.log"\n` +
          "hint: the file belongs to another user or its directory is not readable; check `ls -l` on it\n",
        ], `as ${TEST_USER}, ${follow.join(" ") || "following"}`);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "a followed file rotated to one the user may not read is reported and retried, then followed again",
  ignore: Deno.uid() !== 0,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "s9s-msg-rot-" });
    const path = `${dir}/app.log`;
    let p: S9sProcess | undefined;
    try {
      await Deno.chmod(dir, 0o755);
      const home = `${dir}/home`;
      await Deno.mkdir(home);
      await Deno.writeTextFile(path, "gen0 line\n", { mode: 0o644 });
      const denoDir = await testUserDenoDir(dir, [home]);
      const args = await testUserArgs(
        { NO_COLOR: "1", HOME: home, S9S_HOME: home, DENO_DIR: denoDir },
        ["stream", "--path", path],
      );
      // In a session of its own, so that stopping it stops s9s under runuser too.
      p = new S9sProcess([], { argv: ["setsid", "runuser", ...args], cwd: dir });
      const s9s = p;
      const printed = (line: string) => () => s9s.lines.includes(line);
      await waitFor(printed("gen0 line"), { timeout: 60_000, what: `gen0; ${p.stderr}` });
      // A rotation to a file only root may read (made so: never readable for a moment)…
      await Deno.rename(path, `${path}.1`);
      await Deno.writeTextFile(path, "gen1 secret\n", { mode: 0o600 });
      await waitFor(() => /permission denied/i.test(s9s.stderr), {
        what: `the denial said; ${p.stderr}`,
      });
      // …then one more, to a file everyone may read.
      await Deno.rename(`${path}.1`, `${path}.2`);
      await Deno.rename(path, `${path}.1`);
      await Deno.writeTextFile(path, "gen2 line\n", { mode: 0o644 });
      await waitFor(printed("gen2 line"), { what: `gen2 followed; ${p.stderr}` });
      Deno.kill(-p.pid, "SIGTERM");
      await p.finished();
      p = undefined;
      assertEquals([s9s.lines, s9s.unterminated], [["gen0 line", "gen2 line"], false], s9s.stderr);
      assertEquals(/^error:/m.test(s9s.stderr), false, s9s.stderr);
    } finally {
      if (p) {
        Deno.kill(-p.pid, "SIGKILL");
        await p.finished();
      }
      await Deno.remove(dir, { recursive: true });
    }
  },
});
