/**
 * The bundle (`deno task bundle`, src/platform/bundle.ts) on a copy of the checkout: s9s runs it
 * while the sources are as they were, and runs the sources again after any edit.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { ROOT, taskV8Flags } from "../_helpers/cli.ts";
import { tempHome } from "../_helpers/temp_dir.ts";
import { sh } from "../_helpers/command.ts";
import {
  bundledPath,
  bundlePacks,
  packExport,
  WORKER_MODULE,
} from "../../src/platform/lazy_import.ts";

/** A copy of what `deno task s9s` and `deno task bundle` need, in a new directory. */
async function copyCheckout(dir: string): Promise<void> {
  const cp = new Deno.Command("cp", {
    args: ["-r", `${ROOT}src`, `${ROOT}main.ts`, `${ROOT}deno.json`, `${ROOT}deno.lock`, dir],
  });
  assertEquals((await cp.output()).code, 0);
  await Deno.mkdir(`${dir}/scripts`);
  for (const f of ["bundle.ts", "bundle_merge.ts"]) {
    await Deno.copyFile(`${ROOT}scripts/${f}`, `${dir}/scripts/${f}`);
  }
}

function run(dir: string, home: string, args: string[], env: Record<string, string> = {}) {
  const deno = [Deno.execPath(), "run", "--quiet", "-A", "--unsafe-proto"];
  return sh([...deno, `--v8-flags=${taskV8Flags()}`, `${dir}/main.ts`, ...args], {
    cwd: dir,
    env: { NO_COLOR: "1", S9S_HOME: home, S9S_CONFIG: "", ...env },
  });
}

/** Build the bundle in the copy at `dir`. */
async function bundle(dir: string): Promise<void> {
  const built = await sh([Deno.execPath(), "run", "-A", "scripts/bundle.ts", "--quiet"], {
    cwd: dir,
  });
  assertEquals(built.code, 0, built.stderr);
}

async function git(dir: string, ...args: string[]): Promise<string> {
  const r = await sh(["git", "-C", dir, "-c", "user.name=t", "-c", "user.email=t@t", ...args]);
  assertEquals(r.code, 0, r.stderr);
  return r.stdout.trim();
}

/** Replace `from` by `to` (as long) in `path`, keeping its size and modification time. */
async function editInPlace(path: string, from: string, to: string, keepTime: boolean) {
  const st = await Deno.stat(path);
  const text = await Deno.readTextFile(path);
  assert(text.includes(from) && from.length === to.length);
  await Deno.writeTextFile(path, text.replace(from, to));
  if (keepTime) await Deno.utime(path, st.atime!, st.mtime!);
}

Deno.test("s9s runs the bundle while the sources are unchanged, and the sources after an edit", async () => {
  const { dir, home } = await tempHome("s9s-bundle-");
  const co = `${dir}/checkout`;
  try {
    await Deno.mkdir(co);
    await copyCheckout(co);
    await bundle(co);
    const manifest = JSON.parse(await Deno.readTextFile(`${co}/dist/bundle/current.json`));
    const build = `${co}/dist/bundle/${manifest.id}`;
    assert((await Deno.stat(`${build}/${bundledPath(WORKER_MODULE)}`)).isFile);
    // Source maps lie beside the chunks, unlinked: Deno would read a linked one at each load.
    for await (const e of Deno.readDir(build)) {
      if (!e.name.endsWith(".js")) continue;
      assert(!(await Deno.readTextFile(`${build}/${e.name}`)).includes("sourceMappingURL"), e.name);
      assert((await Deno.stat(`${build}/${e.name}.map`)).isFile, `${e.name}.map`);
    }
    // Each module is where lazyImport looks for it: in its pack's file, under its own name (the
    // worker's pack is only started as a worker).
    for (const [pack, modules] of bundlePacks()) {
      if (modules.includes(WORKER_MODULE)) continue;
      const ns = await import(`file://${build}/${pack}.js`);
      for (const m of modules) assert(ns[packExport(m)], `${pack}.js lacks ${m}`);
    }

    // The stream path, lazily imported modules included, from the bundle.
    await Deno.writeTextFile(`${dir}/small.log`, "one\ntwo\nthree\n");
    const stream = await run(co, home, ["stream", "--path", `${dir}/small.log`, "--no-follow"]);
    assertEquals(stream.stdout, "one\ntwo\nthree\n");
    assertEquals(stream.code, 0, stream.stderr);

    // An edit that keeps the file's size and time is invisible to the freshness check: what
    // runs is the bundle's build of the old text, which shows the bundle is what runs.
    const version = `${co}/src/version.ts`;
    const { VERSION } = await import("../../src/version.ts");
    const other = VERSION.replace(/.$/, (c) => c === "9" ? "8" : "9");
    await editInPlace(version, `"${VERSION}"`, `"${other}"`, true);
    const cached = await run(co, home, ["--version"]);
    assertEquals(cached.stdout.split("\n")[0], `s9s ${VERSION}`);
    // --debug runs the sources (its stack traces name them; the bundle is minified).
    const debug = await run(co, home, ["--debug", "--version"]);
    assertEquals(debug.stdout.split("\n")[0], `s9s ${other}`);
    // A real edit (a new modification time): the sources run, never the stale bundle.
    await Deno.utime(version, new Date(), new Date(Date.now() + 2000));
    const edited = await run(co, home, ["--version"]);
    assertEquals(edited.stdout.split("\n")[0], `s9s ${other}`);
    assertEquals(edited.code, 0, edited.stderr);
    // Without the bundle (removed, as on a fresh clone) the sources run as well.
    await Deno.remove(`${co}/dist`, { recursive: true });
    const plain = await run(co, home, ["stream", "--path", `${dir}/small.log`, "--no-follow"]);
    assertEquals(plain.stdout, "one\ntwo\nthree\n");
    assertEquals(plain.code, 0, plain.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("s9s --version from the bundle says what the bundle recorded, without running git", async () => {
  const { dir, home } = await tempHome("s9s-bundle-git-");
  const co = `${dir}/checkout`;
  try {
    await Deno.mkdir(co);
    await copyCheckout(co);
    await git(co, "init", "-q");
    await git(co, "add", "-A");
    await git(co, "commit", "-q", "-m", "copy");
    const head = (await git(co, "rev-parse", "HEAD")).slice(0, 12);
    // An uncommitted change to the program, then the bundle.
    await Deno.writeTextFile(`${co}/src/errors.ts`, "\n", { append: true });
    await bundle(co);
    // No git on PATH: only the bundle's record can tell that the build had uncommitted changes.
    const noGit = { PATH: "/nonexistent" };
    const r = await run(co, home, ["--version"], noGit);
    assertEquals(r.stdout.split("\n")[1], `commit:     ${head} (with uncommitted changes)`);
    assertEquals([r.stderr, r.code], ["", 0]);
    // From the sources there is no record: the commit alone, as without git.
    const src = await run(co, home, ["--version"], { ...noGit, S9S_NO_BUNDLE: "1" });
    assertEquals(src.stdout.split("\n")[1], `commit:     ${head}`);
    // With git, a change outside the program's files (README, tests) is no uncommitted change.
    await git(co, "commit", "-q", "-am", "errors");
    await Deno.writeTextFile(`${co}/notes.md`, "x\n");
    await git(co, "add", "notes.md");
    const clean = await run(co, home, ["--version"]);
    assertEquals(
      clean.stdout.split("\n")[1],
      `commit:     ${(await git(co, "rev-parse", "HEAD")).slice(0, 12)}`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
