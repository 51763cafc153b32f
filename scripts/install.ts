/**
 * `deno task install`: put an `s9s` command on the user's PATH that runs this clone from source,
 * without root.
 *
 *   deno task -q install [--bin-dir DIR]
 *
 * It caches every npm package and its registry data once (`deno install --frozen`), so that no
 * later run prints Deno's "Download …" lines or needs the network, then writes DIR/s9s
 * (default `~/.local/bin`, or `$XDG_BIN_HOME`): a small sh script that runs the `s9s` task's own
 * `deno run …` line (its flags read from deno.json) with this clone's deno.json and main.ts, in
 * the directory the user is in. The deno it names is the one running this script; one started
 * by `npx` lives in npm's cache, which npm may clean, so that one is copied next to the wrapper's
 * data (`~/.local/share/s9s/`) first. It also builds the bundle (`deno task bundle`: a faster
 * start, used until a source changes). Run it again after moving the clone, upgrading Deno or
 * pulling new sources.
 */
import { dirname, join } from "node:path";

const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

function fail(message: string, hint?: string): never {
  console.error(`error: ${message}`);
  if (hint) console.error(`hint: ${hint}`);
  Deno.exit(1);
}

/** `'…'` for sh. */
function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The `s9s` task's `deno run` flags (everything between `deno run` and `main.ts`). */
export async function taskRunFlags(): Promise<string[]> {
  const cfg = JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
  const words = String(cfg.tasks?.s9s ?? "").trim().split(/\s+/);
  if (words[0] !== "deno" || words[1] !== "run" || words.at(-1) !== "main.ts") {
    fail('the "s9s" task in deno.json is not `deno run … main.ts`', "install copies its flags");
  }
  return words.slice(2, -1);
}

/** The wrapper script's text. */
export function wrapperScript(deno: string, flags: string[]): string {
  const line = [deno, "run", ...flags, "--config", `${root}/deno.json`, `${root}/main.ts`]
    .map(shQuote).join(" ");
  return `#!/bin/sh\n# s9s from the clone ${root} (written by \`deno task install\`; run it again ` +
    `after moving the clone)\nexec ${line} "$@"\n`;
}

function home(): string {
  const h = Deno.env.get("HOME");
  if (!h) fail("HOME is not set", "set HOME, or give --bin-dir DIR");
  return h;
}

/** A deno that stays: the running one, unless it lives in npx's cache (copied out of it then). */
async function stableDeno(): Promise<string> {
  const deno = Deno.execPath();
  if (!deno.includes("/_npx/")) return deno;
  const data = Deno.env.get("XDG_DATA_HOME") || join(home(), ".local/share");
  const dir = join(data, "s9s");
  await Deno.mkdir(dir, { recursive: true });
  const kept = join(dir, `deno-${Deno.version.deno}`);
  const part = `${kept}.${Deno.pid}.part`;
  await Deno.copyFile(deno, part);
  await Deno.chmod(part, 0o755);
  await Deno.rename(part, kept);
  console.error(`install: copied deno ${Deno.version.deno} out of npx's cache to ${kept}`);
  return kept;
}

if (import.meta.main) {
  const args = [...Deno.args];
  const at = args.indexOf("--bin-dir");
  const unknown = args.filter((_, i) => at === -1 || (i !== at && i !== at + 1));
  if (unknown.length || (at !== -1 && !args[at + 1])) {
    fail(`unexpected arguments: ${args.join(" ")}`, "usage: deno task -q install [--bin-dir DIR]");
  }
  const binDir = at !== -1
    ? args[at + 1]
    : Deno.env.get("XDG_BIN_HOME") || join(home(), ".local/bin");

  // Every npm package and its registry data into Deno's cache, once.
  const cached = await new Deno.Command(Deno.execPath(), {
    args: ["install", "--frozen", "--quiet"],
    cwd: root,
    stdin: "null",
  }).output();
  if (!cached.success) {
    fail("could not cache the npm packages", "run `deno install --frozen` in the clone to see why");
  }

  // The bundle of the sources (scripts/bundle.ts): a faster start while they stay as they are.
  const bundled = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "scripts/bundle.ts", "--quiet"],
    cwd: root,
    stdin: "null",
  }).output();
  if (!bundled.success) {
    console.error("install: no bundle; s9s runs from the sources (slower start)");
  }

  const script = wrapperScript(await stableDeno(), await taskRunFlags());
  const target = join(binDir, "s9s");
  await Deno.mkdir(binDir, { recursive: true });
  const part = `${target}.${Deno.pid}.part`;
  await Deno.writeTextFile(part, script, { mode: 0o755 });
  await Deno.chmod(part, 0o755);
  await Deno.rename(part, target);

  const onPath = (Deno.env.get("PATH") ?? "").split(":").some((d) => d === binDir);
  console.log(`installed ${target} (runs ${root}/main.ts)`);
  if (!onPath) {
    console.log(
      `${binDir} is not on your PATH: add \`export PATH="${binDir}:$PATH"\` to your shell's ` +
        `startup file (e.g. ~/.bashrc), or run ${target}`,
    );
  }
  // Sanity check: the command starts.
  const check = await new Deno.Command(target, {
    args: ["--version"],
    cwd: dirname(target),
    stdout: "null",
    stderr: "piped",
    stdin: "null",
  }).output();
  if (!check.success) {
    fail(
      `${target} --version failed: ${new TextDecoder().decode(check.stderr).trim()}`,
      "run it by hand to see why",
    );
  }
}
