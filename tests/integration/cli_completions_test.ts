/**
 * `s9s completions`: the scripts load in real shells and complete what the command tree has.
 * The expected flags come from `s9s stream --help`, not from a list kept here.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { MAIN, ROOT, runS9s } from "../_helpers/cli.ts";

async function has(cmd: string): Promise<boolean> {
  try {
    const r = await new Deno.Command("sh", { args: ["-c", `command -v ${cmd}`], stdout: "null" })
      .output();
    return r.success;
  } catch {
    return false;
  }
}

/** A directory with an `s9s` on PATH that runs this checkout. */
async function s9sOnPath(): Promise<{ dir: string; env: Record<string, string> }> {
  const dir = await Deno.makeTempDir({ prefix: "s9s-comp-" });
  await Deno.writeTextFile(
    `${dir}/s9s`,
    `#!/bin/sh\nexec "${Deno.execPath()}" run -A --unsafe-proto "${MAIN}" "$@"\n`,
  );
  await Deno.chmod(`${dir}/s9s`, 0o755);
  return {
    dir,
    env: { NO_COLOR: "1", PATH: `${dir}:${Deno.env.get("PATH")}`, S9S_HOME: `${dir}/home` },
  };
}

async function shell(
  sh: string,
  script: string,
  env: Record<string, string>,
  cwd: string,
): Promise<string> {
  const r = await new Deno.Command(sh, { args: ["-c", script], env, cwd, stdin: "null" }).output();
  const out = new TextDecoder().decode(r.stdout);
  assertEquals(r.code, 0, `${sh} failed: ${new TextDecoder().decode(r.stderr)}\n${out}`);
  return out;
}

/** Long flags that `s9s stream --help` lists. */
async function streamFlags(): Promise<string[]> {
  const help = await runS9s(["stream", "--help"]);
  assertEquals(help.code, 0);
  return [...new Set([...help.stdout.matchAll(/(--[a-z][a-z-]+)/g)].map((m) => m[1]))];
}

const BASH_PROBE = `
source <(s9s completions bash) || exit 3
complete -p s9s
t() { COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _s9s; echo "$*=>\${COMPREPLY[*]}"; }
t s9s ""
t s9s st
t s9s stream --
t s9s stream -t ""
t s9s --config x.yaml stream --output-format j
t s9s config ""
t s9s completions ""
t s9s stream --path comp
`;

Deno.test("bash completion loads with source <(s9s completions bash) and completes", async () => {
  const { dir, env } = await s9sOnPath();
  try {
    await Deno.writeTextFile(`${dir}/completion-me.txt`, "");
    const out = (await shell("bash", BASH_PROBE, env, dir)).split("\n");
    assertEquals(out[0], "complete -F _s9s s9s");
    const answer = (q: string) => out.find((l) => l.startsWith(q + "=>"))?.slice(q.length + 2);
    assertEquals(answer("s9s "), "stream jobs config history submit doctor completions help");
    assertEquals(answer("s9s st"), "stream");
    const offered = answer("s9s stream --")!.split(" ");
    for (const flag of await streamFlags()) {
      assert(offered.includes(flag), `bash offers ${flag} after "s9s stream": ${offered}`);
    }
    assertEquals(answer("s9s stream -t "), "stdout stderr all");
    assertEquals(answer("s9s --config x.yaml stream --output-format j"), "json");
    assertEquals(answer("s9s config "), "validate show");
    assertEquals(answer("s9s completions "), "bash zsh fish");
    assertEquals(answer("s9s stream --path comp"), "completion-me.txt");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "fish completion loads and completes subcommands, flags and choices",
  ignore: !(await has("fish")),
  async fn() {
    const { dir, env } = await s9sOnPath();
    try {
      const out = await shell(
        "fish",
        `s9s completions fish | source; complete -C "s9s "; echo ---; complete -C "s9s stream --"; echo ---; complete -C "s9s stream -t "`,
        env,
        dir,
      );
      const [subs, flags, types] = out.split("---\n").map((p) =>
        p.trim().split("\n").map((l) => l.split("\t")[0])
      );
      assertEquals(subs.sort(), [
        "completions",
        "config",
        "doctor",
        "help",
        "history",
        "jobs",
        "stream",
        "submit",
      ]);
      for (const flag of await streamFlags()) assert(flags.includes(flag), `fish offers ${flag}`);
      assertEquals(types.sort(), ["all", "stderr", "stdout"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "zsh completion loads after compinit and offers subcommands and choices",
  ignore: !(await has("zsh")),
  async fn() {
    const { dir, env } = await s9sOnPath();
    try {
      // compadd and _describe only work inside a completion widget: stand-ins print what the
      // generated function asks them to offer.
      const out = await shell(
        "zsh",
        `autoload -U compinit && compinit -u -D; source <(s9s completions zsh) || exit 3
print -r -- "registered=\${_comps[s9s]}"
_describe() { print -r -- "describe $1: \${(P)2}"; }
compadd() { print -r -- "compadd $*"; }
t() { words=("$@"); CURRENT=\${#words}; _s9s; }
t s9s ""; t s9s stream -t ""; t s9s --config x stream -o ""`,
        { ...env, HOME: dir },
        dir,
      );
      const lines = out.trim().split("\n");
      assertEquals(lines[0], "registered=_s9s");
      assert(/^describe command: stream:.* jobs:.* completions:/.test(lines[1]), lines[1]);
      assertEquals(lines[2], "compadd -- stdout stderr all");
      assertEquals(lines[3], "compadd -- text json");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("s9s completions rejects an unknown shell, exit 2", async () => {
  const r = await runS9s(["completions", "tcsh"], { env: { NO_COLOR: "1" }, cwd: ROOT });
  assertEquals(r.stdout, "");
  assertEquals(
    r.stderr,
    'error: shell must be one of bash, zsh, fish; got "tcsh"\nhint: see `s9s completions --help`\n',
  );
  assertEquals(r.code, 2);
});
