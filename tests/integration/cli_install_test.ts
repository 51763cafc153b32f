/**
 * From a clone to an `s9s` command: `deno task -q install` writes a wrapper on the user's PATH,
 * and both it and `deno task s9s` read relative paths from the directory the command was typed
 * in (a task itself runs in the clone). stdout, stderr and exit code, with NO_COLOR=1.
 */
import { assertEquals, assertStringIncludes } from "../_helpers/assert.ts";
import { denoCacheDir, ROOT } from "../_helpers/cli.ts";
import { sh } from "../_helpers/command.ts";

function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  return sh([cmd, ...args], {
    cwd,
    // A clean environment, as in a new shell: the INIT_CWD of the `deno task test` around this
    // test would be kept by the `deno task` below (it sets INIT_CWD only when unset).
    clearEnv: true,
    env: { NO_COLOR: "1", DENO_DIR: denoCacheDir(), PATH: Deno.env.get("PATH") ?? "", ...env },
  });
}

/** A scratch directory with a private HOME and `work/rel.log` in it. */
async function scratch(): Promise<{ dir: string; home: string; work: string }> {
  const dir = await Deno.makeTempDir({ prefix: "s9s-install-" });
  const home = `${dir}/home`;
  const work = `${dir}/work`;
  await Deno.mkdir(home);
  await Deno.mkdir(work);
  await Deno.writeTextFile(`${work}/rel.log`, "hello from rel.log\n");
  return { dir, home, work };
}

Deno.test("deno task s9s reads --path rel.log from where it was typed, not from the clone", async () => {
  const { dir, home, work } = await scratch();
  try {
    const r = await run(
      Deno.execPath(),
      [
        "task",
        "-q",
        "--config",
        `${ROOT}deno.json`,
        "s9s",
        "stream",
        "--no-follow",
        "-q",
        "--path",
        "rel.log",
      ],
      work,
      { HOME: home, S9S_HOME: `${home}/.s9s` },
    );
    assertEquals([r.code, r.stdout, r.stderr], [0, "hello from rel.log\n", ""]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("npx deno task s9s reads --path rel.log from where npx was typed", async () => {
  // What `npx -y deno@2.9.6 task -q s9s …` in a subdirectory of the clone hands `deno task`: npx's
  // INIT_CWD and user agent, which `deno task` keeps (it sets them only when unset).
  const { dir, home, work } = await scratch();
  try {
    const r = await run(
      Deno.execPath(),
      ["task", "-q", "--config", `${ROOT}deno.json`, "s9s", "stream", "--no-follow", "-q"].concat(
        ["--path", "rel.log"],
      ),
      work,
      {
        HOME: home,
        S9S_HOME: `${home}/.s9s`,
        INIT_CWD: work,
        npm_command: "exec",
        npm_lifecycle_event: "npx",
        npm_config_user_agent: "npm/11.19.1 node/v20.20.2 linux x64 workspaces/false",
      },
    );
    assertEquals([r.code, r.stdout, r.stderr], [0, "hello from rel.log\n", ""]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task install writes an s9s command that runs from any directory", async () => {
  const { dir, home, work } = await scratch();
  try {
    const bin = `${dir}/bin`;
    const inst = await run(Deno.execPath(), ["task", "-q", "install", "--bin-dir", bin], ROOT, {
      HOME: home,
      PATH: `${bin}:${Deno.env.get("PATH")}`,
    });
    // A deno that npx started (the README's `npx -y deno@2.9.6 task -q test`) lives in npm's
    // cache, so install keeps a copy of it under the user's data directory and says so.
    const copied = Deno.execPath().includes("/_npx/")
      ? `install: copied deno ${Deno.version.deno} out of npx's cache to ` +
        `${home}/.local/share/s9s/deno-${Deno.version.deno}\n`
      : "";
    assertEquals([inst.code, inst.stderr], [0, copied], inst.stdout);
    assertEquals(inst.stdout, `installed ${bin}/s9s (runs ${ROOT.replace(/\/$/, "")}/main.ts)\n`);
    const r = await run(`${bin}/s9s`, ["stream", "--no-follow", "-q", "--path", "rel.log"], work, {
      HOME: home,
    });
    assertEquals([r.code, r.stdout, r.stderr], [0, "hello from rel.log\n", ""]);
    const v = await run(`${bin}/s9s`, ["--version"], work, { HOME: home });
    assertEquals([v.code, v.stderr], [0, ""]);
    assertStringIncludes(v.stdout, "s9s ");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
