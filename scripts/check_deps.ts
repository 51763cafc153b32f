/**
 * Dependency direction check (part of `deno task lint`). Layers are numbered; a file may import
 * its own layer or a lower one, never a higher one — types included, no exemptions:
 *
 *   0 platform, errors.ts, version.ts
 *   1 config, core, codec
 *   2 sources, cluster
 *   3 engine
 *   4 sinks, persist
 *   5 tui
 *   6 cli, mod.ts
 *   7 main.ts
 *
 * Only src/tui may import neo-blessed; nothing below the engine imports ssh2 but src/sources.
 * Any file under src/ whose area is not listed is an error too, so a new folder gets a number.
 */
const root = new URL("../src/", import.meta.url).pathname.replace(/\/$/, "");
const top = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const layer: Record<string, number> = {
  platform: 0,
  "errors.ts": 0,
  "version.ts": 0,
  config: 1,
  core: 1,
  codec: 1,
  sources: 2,
  cluster: 2,
  engine: 3,
  sinks: 4,
  persist: 4,
  tui: 5,
  cli: 6,
  "mod.ts": 6,
};
const MAIN = 7;
const problems: string[] = [];

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) out.push(...await walk(p));
    else if (e.name.endsWith(".ts")) out.push(p);
  }
  return out;
}

/** The layer of a file, or undefined when it is outside src/ and main.ts. */
function layerOf(path: string): { area: string; n: number } | undefined {
  if (path === `${top}/main.ts`) return { area: "main.ts", n: MAIN };
  if (!path.startsWith(root + "/")) return undefined;
  const area = path.slice(root.length + 1).split("/")[0];
  const n = layer[area];
  if (n === undefined) {
    problems.push(`src/${area}: not in any layer (give it a number in scripts/check_deps.ts)`);
    return { area, n: -1 };
  }
  return { area, n };
}

const IMPORT_RE =
  /(?:import|export)\s+(?:type\s+)?[^"';]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|import\s*["']([^"']+)["']|new URL\(\s*["']([^"']+\.ts)["']/g;

for (const file of [...await walk(root), `${top}/main.ts`]) {
  const from = layerOf(file)!;
  const text = await Deno.readTextFile(file);
  const rel = file.slice(top.length + 1);
  for (const m of text.matchAll(IMPORT_RE)) {
    const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
    if (spec === "neo-blessed" && from.area !== "tui") {
      problems.push(`${rel}: only src/tui may import neo-blessed`);
    }
    if (spec === "ssh2" && from.area !== "sources") {
      problems.push(`${rel}: only src/sources may import ssh2`);
    }
    if (!spec.startsWith(".")) continue;
    const target = new URL(spec, `file://${file}`).pathname;
    const to = layerOf(target);
    if (!to) continue;
    if (to.n > from.n) {
      problems.push(
        `${rel}: ${from.area} (layer ${from.n}) must not import ${to.area} (layer ${to.n}): ${spec}`,
      );
    }
  }
}
// Dynamic imports: every one goes through lazyImport (src/platform/lazy_import.ts), out of sight of
// Deno's start-up walk, and the module it names at run time is the one its type names.
const LAZY_RE = /lazyImport<typeof import\(\s*["']([^"']+)["']\s*\)>\(\s*["']([^"']+)["']\s*\)/g;
const DYNAMIC_RE = /(^|[^\w.])import\(\s*["'`]([^"'`]+)/gm;
for (const file of [...await walk(root), `${top}/main.ts`]) {
  const text = await Deno.readTextFile(file);
  const rel = file.slice(top.length + 1);
  for (const m of text.matchAll(LAZY_RE)) {
    const typed = new URL(m[1], `file://${file}`).pathname;
    if (typed !== `${top}/${m[2]}`) {
      problems.push(`${rel}: lazyImport of "${m[2]}" is typed as another module: ${m[1]}`);
    }
  }
  for (const m of text.matchAll(DYNAMIC_RE)) {
    if (m[2].startsWith("node:")) continue;
    const before = text.slice(text.lastIndexOf("\n", m.index) + 1, m.index + m[1].length);
    // A type position: `typeof import(…)`, `x: import(…).T`, `type T = import(…)`.
    if (/(typeof\s*|[:<|&]\s*)$/.test(before) || /^\s*(export\s+)?type\s/.test(before)) continue;
    problems.push(`${rel}: import("${m[2]}") is walked at start-up; use lazyImport (src/platform)`);
  }
}

if (problems.length) {
  console.error([...new Set(problems)].join("\n"));
  console.error(`${problems.length} dependency direction problem(s)`);
  Deno.exit(1);
}
console.log("dependency directions ok");
