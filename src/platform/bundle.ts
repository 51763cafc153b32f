/**
 * The bundle: a cache of s9s's sources as JavaScript chunks, which Deno loads faster than it
 * reads and transpiles about a hundred modules one by one (`s9s stream`: 4 files instead of
 * ≈ 105 modules, see scripts/bundle_merge.ts). It is only a cache: `deno task bundle` (also run by
 * `deno task install`) writes it to `dist/bundle/` of the checkout, and main.ts runs it only
 * while every file of the program it was made from ({@link PROGRAM_SOURCES}) still has the size
 * and modification time it had then. Any edit, a `git pull`, a missing or unreadable bundle means
 * running from the sources, as without one.
 *
 * Layout: `dist/bundle/current.json` ({@link BundleManifest}) names the build directory
 * `dist/bundle/<id>/`, which holds the entry points, one per pack of modules (`engine.js` holds
 * `src/cli/stream.ts` and what loads with it, see BUNDLE_PACKS in ./lazy_import.ts), and the
 * chunks they share. A rebuild writes a new directory and then replaces `current.json`, so a
 * running s9s keeps loading its own build's files.
 * @module
 */

/**
 * What the program is made of, from the repository root (a folder stands for every file in it):
 * the files the bundle records, and those whose uncommitted changes `s9s --version` reports.
 */
export const PROGRAM_SOURCES = ["main.ts", "deno.json", "deno.lock", "src"];

/** Where the bundle lives, from the repository root. */
export const BUNDLE_DIR = "dist/bundle";
/** Version of the manifest layout. */
export const BUNDLE_FORMAT = 2;

/** `dist/bundle/current.json`: which build is current and what it was made from. */
export interface BundleManifest {
  format: number;
  /** The build directory under {@link BUNDLE_DIR}. */
  id: string;
  /** The Deno version that made it (another Deno runs from the sources). */
  deno: string;
  /** Each source file (path from the root), its size and modification time (ms). */
  files: [string, number, number][];
  /**
   * The commit checked out when it was built and whether {@link PROGRAM_SOURCES} differed from
   * it (absent without git): `s9s --version` from this bundle says so without running git.
   */
  git?: { head: string; dirty: boolean };
}

/** Size and modification time of `path`, or undefined when it cannot be stat'ed. */
export function fileStamp(path: string | URL): [number, number] | undefined {
  try {
    const st = Deno.statSync(path);
    return [st.size, st.mtime?.getTime() ?? 0];
  } catch {
    return undefined;
  }
}

/** {@link fileStamp} as text, `size:mtime` ("?" when it cannot be stat'ed): part of a build stamp. */
export function stampText(path: string | URL): string {
  return fileStamp(path)?.join(":") ?? "?";
}

/**
 * The build directory of the bundle under `root` (a directory path ending in "/") when it is
 * fresh: made by this Deno from sources that are all as they were. Undefined otherwise, or on
 * any trouble reading it.
 */
export function freshBundle(root: string): string | undefined {
  const manifest = bundleManifest(root);
  if (!manifest) return undefined;
  for (const [path, size, mtime] of manifest.files) {
    const now = fileStamp(`${root}${path}`);
    if (!now || now[0] !== size || now[1] !== mtime) return undefined;
  }
  return `${root}${BUNDLE_DIR}/${manifest.id}/`;
}

/** The manifest of the bundle under `root`, if there is a well-formed one made by this Deno. */
export function bundleManifest(root: string): BundleManifest | undefined {
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(Deno.readTextFileSync(`${root}${BUNDLE_DIR}/current.json`));
  } catch {
    return undefined;
  }
  const ok = manifest?.format === BUNDLE_FORMAT && manifest.deno === Deno.version.deno &&
    Array.isArray(manifest.files) && typeof manifest.id === "string" &&
    /^[\w-]+$/.test(manifest.id);
  return ok ? manifest : undefined;
}

/** The name a pack of the bundle exports `path`'s module under (its namespace). */
export function packExport(path: string): string {
  return path.replace(/\W/g, "_");
}

/** The program main.ts runs, by path from the repository root. */
const PROGRAM = "src/cli/program.ts";
/** The bundle's pack (entry file, without `.js`) that holds {@link PROGRAM}: see lazy_import.ts. */
export const PROGRAM_PACK = "front";

/**
 * Import the program (src/cli/program.ts) as main.ts starts it: from the bundle when there is a
 * fresh one under the repository root, else from the sources — also when S9S_NO_BUNDLE=1, and
 * for `--debug` among `args`, whose stack traces then name the source files and functions (the
 * bundle is minified; its source maps are not linked). Here rather than in lazy_import.ts so that
 * main.ts loads one small module before the program (≈ 2 ms less at start-up).
 */
export async function importProgram<M>(args: readonly string[]): Promise<M> {
  const root = new URL("../../", import.meta.url);
  const bundle = root.protocol === "file:" && import.meta.url.endsWith(".ts") &&
      Deno.env.get("S9S_NO_BUNDLE") !== "1" && !args.includes("--debug")
    ? freshBundle(decodeURIComponent(root.pathname))
    : undefined;
  if (!bundle) return await import(new URL(PROGRAM, root).href);
  return await fromPack<M>(new URL(`${PROGRAM_PACK}.js`, `file://${bundle}`), PROGRAM);
}

/** The module `path` (from the repository root) out of its pack, the bundle's file at `url`. */
export async function fromPack<M>(url: URL, path: string): Promise<M> {
  const mod = (await import(url.href))[packExport(path)];
  if (!mod) throw new Error(`the bundle's ${url.pathname} lacks ${path}`);
  return mod;
}
