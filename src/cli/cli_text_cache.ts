/**
 * What `s9s --help`, `s9s help CMD`, `s9s CMD --help` and `s9s completions SHELL` printed, kept
 * in `~/.s9s/cache/cli.json`: these texts follow from the command tree alone, and building the
 * tree means loading commander (an npm package: Node compatibility and the package, ≈ 40 ms of
 * CPU) and every subcommand (≈ 20 ms more), where printing a stored text costs next to nothing.
 * An entry is used only when everything the text depends on is the same as when it was made:
 * the arguments, the build of s9s (the compiled binary's size and time; from source, the checkout's
 * path and the size and time of the main module and of every module under src/), whether stdout is a terminal and its width
 * (commander wraps help to it), and the environment that turns commander's colours on or off.
 * Any trouble with the cache means building the tree as usual.
 * @module
 */
import { s9sDir } from "../platform/paths.ts";
import { isCompiled } from "../version.ts";
import { bundleId, sourceUrl } from "../platform/lazy_import.ts";
import { stampText } from "../platform/bundle.ts";

const FORMAT = 1;
/** Entries kept, the most recent first (there are a dozen or so different texts). */
const MAX_ENTRIES = 32;
/** Words of a help or completions invocation besides the flags below: command names, shells. */
const WORD = /^[a-z][a-z-]*$/;

interface Entry {
  key: string;
  text: string;
}

interface CacheFile {
  build: string;
  entries: Entry[];
}

function cachePath(): string {
  return `${s9sDir()}/cache/cli.json`;
}

/** Every module under `dir` with its size and time (a source checkout's build stamp). */
function sourceStamps(dir: string, out: string[]): void {
  // Paths as strings: a URL per file made this walk cost more than the text it saves.
  for (const e of Deno.readDirSync(dir)) {
    if (e.isDirectory) sourceStamps(`${dir}/${e.name}`, out);
    else if (e.name.endsWith(".ts")) out.push(`${e.name}:${stampText(`${dir}/${e.name}`)}`);
  }
}

/** Identifies this build of s9s: a text made by another build is not used. */
function buildStamp(): string {
  const src = sourceUrl("src");
  if (src.protocol !== "file:" || isCompiled()) return `exe:${stampText(Deno.execPath())}`;
  // From the bundle: its id (main.ts ran it only because it matches the sources).
  const bundle = bundleId();
  if (bundle) return `bundle:${src.pathname},${bundle}`;
  const out = [src.pathname, `main:${stampText(new URL(Deno.mainModule))}`];
  sourceStamps(decodeURIComponent(src.pathname), out);
  return out.join(",");
}

/**
 * Whether `args` only ask for help or a completion script: `--help`/`-h` (alone or after
 * command names), `help [CMD…]`, `completions SHELL`. Other flags, values and file names make
 * no cached text.
 */
export function isStaticText(args: string[]): boolean {
  if (args.length === 0 || args.length > 4 || args[0] === "completions" && args.length !== 2) {
    return false;
  }
  const help = args.filter((a) => a === "--help" || a === "-h");
  const words = args.filter((a) => a !== "--help" && a !== "-h");
  if (!words.every((w) => WORD.test(w))) return false;
  if (help.length === 1) return args.at(-1) === help[0] && words[0] !== "completions";
  return help.length === 0 && (words[0] === "help" || words[0] === "completions");
}

/** Where a fixed text of this build for these arguments is kept (see {@link staticTextKey}). */
export interface TextKey {
  build: string;
  key: string;
}

/** The cache key for `args`, or undefined when they do not ask for a fixed text. */
export function staticTextKey(args: string[]): TextKey | undefined {
  if (!isStaticText(args)) return undefined;
  try {
    const env = ["NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE"].map((v) => Deno.env.get(v) ?? null);
    const width = Deno.stdout.isTerminal() ? Deno.consoleSize().columns : 0;
    return { build: `${FORMAT};${buildStamp()}`, key: JSON.stringify([args, width, env]) };
  } catch {
    return undefined; // no console size, no environment access: build the tree
  }
}

/** The entries made by `build` (another build's are dropped). */
function readEntries(build: string): Entry[] {
  try {
    const data = JSON.parse(Deno.readTextFileSync(cachePath())) as Partial<CacheFile>;
    return data?.build === build && Array.isArray(data.entries) ? data.entries : [];
  } catch {
    return [];
  }
}

/** The text stored for `k`, if any. */
export function cachedText(k: TextKey): string | undefined {
  const hit = readEntries(k.build).find((e) => e.key === k.key);
  return typeof hit?.text === "string" ? hit.text : undefined;
}

/** Store what a run printed for `k` (best effort: errors are ignored). */
export function rememberText(k: TextKey, text: string): void {
  const entries = [{ key: k.key, text }, ...readEntries(k.build).filter((e) => e.key !== k.key)]
    .slice(0, MAX_ENTRIES);
  const path = cachePath();
  const tmp = `${path}.${Deno.pid}.tmp`;
  try {
    Deno.mkdirSync(`${s9sDir()}/cache`, { recursive: true, mode: 0o700 });
    const file: CacheFile = { build: k.build, entries };
    Deno.writeTextFileSync(tmp, JSON.stringify(file), { mode: 0o600 });
    Deno.renameSync(tmp, path);
  } catch {
    try {
      Deno.removeSync(tmp);
    } catch { /* not written */ }
  }
}
