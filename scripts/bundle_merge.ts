/**
 * The bundle's second pass (scripts/bundle.ts runs it): the chunks a pack always loads with it are
 * merged into the pack's own file, so that a run loads fewer files.
 *
 * `deno bundle` splits the code that several packs share into chunks, one per set of packs that
 * share it: `s9s stream` loaded 27 files, each costing Deno a fetch, a code-cache lookup and a
 * module record (4 files now: the whole process starts 1–1.5 ms sooner here, paired medians; on
 * an NFS home each file is a round trip too).
 * Every run loads the front pack first, and every run that streams loads the engine pack; so a
 * chunk reached from the front pack can live in the front pack's file, and one reached from the
 * engine pack (and not from the front) in the engine's, without any run loading code it did not
 * load before — except the compression worker, which loads neither pack: the chunks its pack
 * reaches stay files of their own.
 *
 * The pack's file is made by bundling, again with esbuild, an entry that re-exports the pack and
 * every merged chunk's names under names of their own; imports of chunks that stay apart are kept
 * as imports. Then every file that imported a merged chunk (another pack, a chunk kept apart)
 * imports those names from the pack's file instead (live bindings, as before), and the chunk's
 * file is removed; a reference the merge cannot rewrite fails the build. The merged files' source
 * maps point into the first pass's files (whose maps point into the sources).
 * @module
 */
import { join } from "node:path";

/** A static import of a local file: keyword, quote, file name (`./x.js`) in groups 1–3. */
const LOCAL_IMPORT = /(\bfrom|\bimport)\s*(["'])\.\/([\w.-]+\.js)\2/g;

/** The local files (`./x.js`) a bundle file imports statically. */
export function importsOf(text: string): string[] {
  return [...text.matchAll(LOCAL_IMPORT)].map((m) => m[3]);
}

/** The names a first-pass chunk exports (its one `export{…}` statement, at its end). */
export function exportsOf(text: string): string[] {
  const m = /export\s*\{([^}]*)\}\s*;?\s*$/.exec(text);
  if (!m) return [];
  return m[1].split(",").map((s) => s.trim()).filter(Boolean).map((s) =>
    s.split(/\s+as\s+/).at(-1)!
  );
}

/** Files reachable from `entry` in `dir` (itself included), not going into `stop`. */
export function closureOf(dir: string, entry: string, stop: Set<string> = new Set()): Set<string> {
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length) {
    const f = todo.pop()!;
    if (seen.has(f) || stop.has(f)) continue;
    seen.add(f);
    todo.push(...importsOf(Deno.readTextFileSync(join(dir, f))));
  }
  return seen;
}

/** The name a merged chunk's export `name` takes in its pack's file. */
function mergedName(chunk: string, name: string): string {
  return `__m_${chunk.replace(/\.js$/, "").replace(/\W/g, "_")}_${name}`;
}

/** Options for {@link mergeChunks}. */
export interface MergeOptions {
  /** The build directory (first pass's output). */
  dir: string;
  /** The packs, in the order they are always loaded (the front pack first), file names. */
  packs: string[];
  /** Packs loaded apart from them (the worker's), whose chunks stay files of their own. */
  apart: string[];
  /** Bundle `entry` (a file) into `outdir` (with the first pass's settings, no splitting). */
  bundle: (entry: string, outdir: string, externalPrefix: string) => Promise<void>;
}

/**
 * Merge into each pack the chunks it reaches that no earlier pack and no `apart` pack reaches;
 * then point every import of a merged chunk at its pack's file, and remove the chunk's file.
 */
export async function mergeChunks(o: MergeOptions): Promise<void> {
  const keep = new Set<string>();
  for (const a of o.apart) for (const f of closureOf(o.dir, a)) keep.add(f);
  const done = new Set<string>();
  const merged: Merged = new Map();
  for (const pack of o.packs) {
    const reach = closureOf(o.dir, pack, done);
    const chunks = [...reach].filter((f) => f !== pack && !keep.has(f));
    for (const f of reach) done.add(f);
    if (chunks.length) await mergePack(o, pack, chunks, merged);
  }
  for (const e of Deno.readDirSync(o.dir)) {
    if (!e.isFile || !e.name.endsWith(".js") || merged.has(e.name)) continue;
    const path = join(o.dir, e.name);
    Deno.writeTextFileSync(path, redirect(Deno.readTextFileSync(path), merged, ""));
  }
  for (const c of merged.keys()) Deno.removeSync(join(o.dir, c));
}

/** Each merged chunk: the pack file that holds it now. */
type Merged = Map<string, string>;

/**
 * `text` with its imports of merged chunks taken from their packs' files under the merged names
 * (`prefix` before the new specifier). Throws on any other reference to a merged chunk.
 */
function redirect(text: string, merged: Merged, prefix: string): string {
  const out = text.replace(
    /\bimport\s*(?:\{([^}]*)\}\s*from\s*)?(["'])\.\/([\w.-]+\.js)\2/g,
    (all, names: string | undefined, q: string, file: string) => {
      const pack = merged.get(file);
      if (!pack) return all;
      const to = `${q}${prefix}./${pack}${q}`;
      if (names === undefined) return `import${to}`;
      const list = names.split(",").map((s) => s.trim()).filter(Boolean).map((s) => {
        const [name, as] = s.split(/\s+as\s+/);
        return `${mergedName(file, name)} as ${as ?? name}`;
      });
      return `import{${list.join(",")}}from${to}`;
    },
  );
  for (const file of merged.keys()) {
    if (new RegExp(`["']\\./${file.replace(/\./g, "\\.")}["']`).test(out)) {
      throw new Error(`a reference to the merged ${file} is left that the merge cannot follow`);
    }
  }
  return out;
}

/** A specifier prefix that marks an import as one to keep (esbuild leaves it alone). */
const KEPT = "s9s-kept:";

async function mergePack(
  o: MergeOptions,
  pack: string,
  chunks: string[],
  merged: Merged,
): Promise<void> {
  const work = join(o.dir, `.merge-${pack.replace(/\.js$/, "")}`);
  const out = join(work, "out");
  Deno.mkdirSync(work, { recursive: true });
  try {
    const group = new Set([pack, ...chunks]);
    // The group's files, their imports of files outside it marked to be kept as they are.
    // (Chunks an earlier pack took are imported from that pack's file.)
    for (const f of group) {
      const text = redirect(Deno.readTextFileSync(join(o.dir, f)), merged, KEPT).replace(
        LOCAL_IMPORT,
        (all, kw, q, name) => group.has(name) ? all : `${kw}${q}${KEPT}./${name}${q}`,
      );
      Deno.writeTextFileSync(join(work, f), text);
    }
    const names = new Map(chunks.map((c) => [c, exportsOf(Deno.readTextFileSync(join(o.dir, c)))]));
    const entry = join(work, "__merged.js");
    Deno.writeTextFileSync(
      entry,
      `export * from "./${pack}";\n` +
        chunks.map((c) =>
          names.get(c)!.length
            ? `export { ${names.get(c)!.map((n) => `${n} as ${mergedName(c, n)}`).join(", ")} } ` +
              `from "./${c}";\n`
            : `import "./${c}";\n`
        ).join(""),
    );
    await o.bundle(entry, out, KEPT);
    const text = Deno.readTextFileSync(join(out, "__merged.js"));
    if (text.includes("sourceMappingURL")) throw new Error("merged file links its source map");
    Deno.writeTextFileSync(join(o.dir, pack), text.replaceAll(KEPT, ""));
    Deno.copyFileSync(join(out, "__merged.js.map"), join(o.dir, `${pack}.map`));
    for (const c of chunks) {
      merged.set(c, pack);
      try {
        Deno.removeSync(join(o.dir, `${c}.map`));
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      }
    }
  } finally {
    Deno.removeSync(work, { recursive: true });
  }
}
