/**
 * `deno task bundle`: build the bundle that main.ts runs while it is fresh (src/platform/bundle.ts
 * says what it is and when it is used). `deno task install` runs it too.
 *
 *   deno task bundle [--quiet]
 *
 * It runs `deno bundle` (esbuild, which Deno fetches from the npm registry on its first use) on
 * one entry point per pack of lazily imported modules (BUNDLE_PACKS in
 * src/platform/lazy_import.ts: a file that re-exports each module's namespace, written to a
 * folder beside the build and removed after it), npm packages left outside, splitting what they
 * share into chunks, minified, with source maps beside the chunks (not linked, see below); writes
 * `dist/bundle/<id>/` and then `dist/bundle/current.json` with the size and time of every file
 * of the program (main.ts, deno.json, deno.lock, src/) and the git commit with whether those
 * files differed from it (for `s9s --version`); keeps the two previous
 * builds (a running s9s may still load from them) and removes older ones. A source edited while
 * it runs makes it fail rather than record a stamp the bundle does not match. Exits 1 on
 * failure, leaving the previous bundle (or none) in place: s9s then runs from the sources.
 */
import { join } from "node:path";
import {
  bundledPath,
  bundlePacks,
  LAZY_MODULES,
  packExport,
  WORKER_MODULE,
} from "../src/platform/lazy_import.ts";
import {
  BUNDLE_DIR,
  BUNDLE_FORMAT,
  type BundleManifest,
  fileStamp,
  PROGRAM_PACK,
  PROGRAM_SOURCES,
} from "../src/platform/bundle.ts";
import { mergeChunks } from "./bundle_merge.ts";

const root = new URL("..", import.meta.url).pathname;
/** Builds kept besides the current one. */
const KEEP_PREVIOUS = 2;

/** Every file the bundle is made from (or that decides how it is made), from the root. */
export function sourceFiles(dir = root): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    if (!Deno.statSync(join(dir, rel)).isDirectory) return void out.push(rel);
    for (const e of Deno.readDirSync(join(dir, rel))) walk(`${rel}/${e.name}`);
  };
  for (const p of PROGRAM_SOURCES) walk(p);
  return out.sort();
}

/** The commit checked out and whether the program's files differ from it (undefined: no git). */
async function gitState(): Promise<BundleManifest["git"]> {
  const git = (args: string[]) =>
    new Deno.Command("git", { args, cwd: root, stdin: "null", stdout: "piped", stderr: "null" })
      .output();
  try {
    const [head, diff] = await Promise.all([
      git(["rev-parse", "HEAD"]),
      git(["diff", "--quiet", "HEAD", "--", ...PROGRAM_SOURCES]),
    ]);
    if (!head.success || diff.code > 1) return undefined;
    return { head: new TextDecoder().decode(head.stdout).trim(), dirty: diff.code === 1 };
  } catch {
    return undefined; // no git on PATH
  }
}

function stamps(files: string[]): BundleManifest["files"] {
  return files.map((f) => {
    const s = fileStamp(join(root, f));
    if (!s) throw new Error(`cannot stat ${f}`);
    return [f, ...s];
  });
}

async function build(quiet: boolean): Promise<string> {
  const files = sourceFiles();
  const before = stamps(files);
  const git = await gitState();
  const id = `${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
  const out = join(root, BUNDLE_DIR, id);
  // The packs' entry files, in one folder (the bundle's files land at the build's root).
  const entries = join(root, BUNDLE_DIR, `.entries-${id}`);
  const packs = writePackEntries(entries);
  let r: Deno.CommandOutput;
  try {
    r = await esbuild(["--code-splitting", `--outdir=${out}`, ...packs], quiet);
  } finally {
    await Deno.remove(entries, { recursive: true });
  }
  try {
    if (!r.success) {
      throw new Error(`deno bundle failed:\n${new TextDecoder().decode(r.stderr).trim()}`);
    }
    for (const m of [...LAZY_MODULES, WORKER_MODULE]) {
      if (!fileStamp(join(out, bundledPath(m)))) throw new Error(`${m} was not bundled`);
    }
    // lazy_import.ts finds the build directory from its own file: it must be a top-level chunk
    // (its source map says which file holds it).
    const home = [...Deno.readDirSync(out)].filter((e) =>
      e.isFile && e.name.endsWith(".js.map") &&
      (JSON.parse(Deno.readTextFileSync(join(out, e.name))).sources as string[])
        .some((s) => s.endsWith("src/platform/lazy_import.ts"))
    );
    if (home.length !== 1) {
      throw new Error("src/platform/lazy_import.ts is not in a top-level chunk");
    }
    // The second pass: the chunks the front and engine packs always load, into their files.
    await mergeChunks({
      dir: out,
      packs: [`${PROGRAM_PACK}.js`, bundledPath("src/cli/stream.ts")],
      apart: [bundledPath(WORKER_MODULE)],
      bundle: async (entry, outdir, kept) => {
        const r = await esbuild([`--external=${kept}*`, `--outdir=${outdir}`, entry], quiet);
        if (!r.success) {
          throw new Error(`deno bundle failed:\n${new TextDecoder().decode(r.stderr).trim()}`);
        }
      },
    });
    const after = stamps(files);
    if (JSON.stringify(after) !== JSON.stringify(before)) {
      throw new Error("the sources changed while bundling: run it again");
    }
  } catch (err) {
    await Deno.remove(out, { recursive: true }).catch(() => {});
    throw err;
  }
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    id,
    deno: Deno.version.deno,
    files: before,
    ...(git ? { git } : {}),
  };
  const current = join(root, BUNDLE_DIR, "current.json");
  Deno.writeTextFileSync(`${current}.${Deno.pid}.tmp`, JSON.stringify(manifest));
  Deno.renameSync(`${current}.${Deno.pid}.tmp`, current);
  return id;
}

/**
 * `deno bundle` with the bundle's settings and `args`: npm packages left outside, minified, with
 * source maps beside the files, not linked — Deno reads a linked map when it loads the file
 * (with the minified code, `s9s stream` started ≈ 6 ms sooner here, 113.9 → 108 ms). `--debug`
 * runs from the sources (src/platform/bundle.ts), so its stack traces name them; the maps are
 * for a stack trace printed otherwise.
 */
export function esbuild(args: string[], quiet: boolean): Promise<Deno.CommandOutput> {
  const imports = Object.keys(JSON.parse(Deno.readTextFileSync(join(root, "deno.json"))).imports);
  return new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform=deno",
      "--packages=external",
      ...imports.map((name) => `--external=${name}`),
      "--format=esm",
      "--minify",
      "--sourcemap=external",
      ...args,
    ],
    cwd: root,
    stdin: "null",
    stdout: quiet ? "null" : "inherit",
    stderr: "piped",
  }).output();
}

/**
 * Write one entry file per pack into `dir` (a new folder two levels under the root): each
 * re-exports its modules' namespaces under {@link packExport} names. Returns their paths.
 */
function writePackEntries(dir: string): string[] {
  Deno.mkdirSync(dir, { recursive: true });
  return bundlePacks().map(([pack, modules]) => {
    const path = join(dir, `${pack}.ts`);
    const lines = modules.map((m) => `export * as ${packExport(m)} from "../../../${m}";\n`);
    Deno.writeTextFileSync(path, lines.join(""));
    return path;
  });
}

/** Remove builds older than the current one and the {@link KEEP_PREVIOUS} before it. */
function prune(current: string): void {
  const dir = join(root, BUNDLE_DIR);
  const builds = [...Deno.readDirSync(dir)].filter((e) => e.isDirectory && e.name !== current)
    .map((e) => ({ name: e.name, mtime: Deno.statSync(join(dir, e.name)).mtime?.getTime() ?? 0 }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const old of builds.slice(KEEP_PREVIOUS)) {
    Deno.removeSync(join(dir, old.name), { recursive: true });
  }
}

if (import.meta.main) {
  const quiet = Deno.args.includes("--quiet");
  try {
    const id = await build(quiet);
    prune(id);
    if (!quiet) {
      console.log(`bundled into ${BUNDLE_DIR}/${id} (s9s runs it until a source changes)`);
    }
  } catch (err) {
    console.error(`error: ${(err as Error).message}`);
    console.error(
      "hint: s9s runs from the sources meanwhile; deno bundle needs esbuild from the npm registry once",
    );
    Deno.exit(1);
  }
}
