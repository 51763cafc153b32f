/**
 * Dependency direction check (part of `deno task lint`). Layers are numbered; a file may import
 * its own layer or a lower one, never a higher one — types included, no exemptions:
 *
 *   0 platform, errors.ts, version.ts
 *   1 config, core, codec
 *   2 sources, cluster
 *   3 engine
 *   4 sinks, persist
 *   5 tui (inside it, model → widgets → views: model imports neither, widgets not views)
 *   6 cli, mod.ts
 *   7 main.ts
 *
 * Only src/tui/widgets may import neo-blessed; only src/sources may import ssh2. Every import is
 * seen: static, `export … from`, dynamic `import()` and `import("…")` types, template literals.
 * A specifier the check cannot read (`import(name)`, a template with `${…}`) is an error, and so
 * is an `npm:`, `jsr:` or URL specifier: npm packages come through deno.json's import map only.
 * Any file under src/ whose area is not listed is an error too, so a new folder gets a number.
 *
 * Dynamic imports go through `lazyImport` (src/platform/lazy_import.ts), out of sight of the
 * graph Deno walks at start-up: a literal `import("./x.ts")` in a value position is an error
 * (`node:` builtins aside). lazy_import.ts itself imports by expression: it imports only paths
 * of its LAZY_MODULES list, and each call names the module's type with `typeof import("…")`,
 * checked here like any import, and the same file as its path; so does bundle.ts, for main.ts,
 * the program only (src/cli/program.ts from the sources or the bundle).
 * @module
 */

/** The layer of each area of src/. */
const LAYER: Record<string, number> = {
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
/** The order inside src/tui. */
const TUI_PARTS: Record<string, number> = { model: 0, widgets: 1, views: 2 };

/** One source file: its path relative to the repository root, and its text. */
export interface SourceFile {
  path: string;
  text: string;
}

/** Where a file sits: its area, layer and (in src/tui) its part. */
interface Place {
  area: string;
  n: number;
  part?: string;
}

/** The place of a repository-relative path, or undefined outside src/ and main.ts. */
function placeOf(path: string, problems: string[]): Place | undefined {
  if (path === "main.ts") return { area: "main.ts", n: MAIN };
  if (!path.startsWith("src/")) return undefined;
  const [area, part] = path.slice(4).split("/");
  const n = LAYER[area];
  if (n === undefined) {
    problems.push(`src/${area}: not in any layer (give it a number in scripts/check_deps.ts)`);
    return { area, n: -1 };
  }
  return { area, n, part: area === "tui" ? part : undefined };
}

/** A normalised relative path: `dir/../x` and `./x` resolved. */
function join(dir: string, spec: string): string {
  const out = dir.split("/").filter(Boolean);
  for (const seg of spec.split("/")) {
    if (seg === "..") out.pop();
    else if (seg !== "." && seg !== "") out.push(seg);
  }
  return out.join("/");
}

/** Every import specifier in `text`: a string, or null where the specifier is an expression. */
export function importsOf(text: string): { spec: string | null; raw: string }[] {
  const out: { spec: string | null; raw: string }[] = [];
  const STATIC =
    /(?:^|[^\w.$])(?:import|export)\s+(?:type\s+)?(?:[\w*${}\s,]+?\s+from\s*)?(["'`])([^"'`]*)\1/g;
  for (const m of text.matchAll(STATIC)) {
    out.push({ spec: m[1] === "`" && m[2].includes("${") ? null : m[2], raw: m[0].trim() });
  }
  // import( … ): a literal (quotes or a template without substitutions) is checked; anything
  // else is an expression the check cannot follow.
  for (const m of text.matchAll(/(?:^|[^\w.$])import\s*\(\s*/g)) {
    const rest = text.slice(m.index! + m[0].length);
    const lit = /^(["'`])([^"'`]*)\1\s*[,)]/.exec(rest);
    const raw = `import(${rest.slice(0, 60).split("\n")[0]}`;
    if (lit && !(lit[1] === "`" && lit[2].includes("${"))) out.push({ spec: lit[2], raw });
    else out.push({ spec: null, raw });
  }
  for (const m of text.matchAll(/new URL\(\s*(["'`])([^"'`]+\.ts)\1/g)) {
    out.push({ spec: m[2], raw: m[0] });
  }
  return out;
}

/** The module whose `lazyImport` imports by expression (from its list of paths). */
const LAZY_IMPORT = "src/platform/lazy_import.ts";
/** The modules that import by expression: lazy_import.ts, and bundle.ts (main.ts's program). */
const BY_EXPRESSION = new Set([LAZY_IMPORT, "src/platform/bundle.ts"]);

/**
 * The dynamic-import problems of a file: a literal `import("…")` in a value position (walked
 * by Deno at start-up: use lazyImport), or a lazyImport whose type names another file than
 * its path.
 */
function lazyProblems(file: SourceFile): string[] {
  const out: string[] = [];
  const dir = file.path.split("/").slice(0, -1).join("/");
  const calls =
    /lazyImport<\s*typeof import\(\s*["'`]([^"'`]+)["'`]\s*\)\s*>\(\s*["'`]([^"'`]+)["'`]\s*,?\s*\)/g;
  const checked = [...file.text.matchAll(calls)];
  const all = file.text.match(/(?<!function )lazyImport</g)?.length ?? 0;
  if (all > checked.length) {
    out.push(`${file.path}: a lazyImport not written lazyImport<typeof import("…")>("…")`);
  }
  for (const m of checked) {
    if (join(dir, m[1]) !== m[2]) {
      out.push(`${file.path}: lazyImport of "${m[2]}" is typed as another module: ${m[1]}`);
    }
  }
  for (const m of file.text.matchAll(/(^|[^\w.$])import\s*\(\s*(["'`])([^"'`]*)\2/gm)) {
    if (m[3].startsWith("node:")) continue;
    const at = m.index! + m[1].length;
    const before = file.text.slice(file.text.lastIndexOf("\n", at - 1) + 1, at);
    // A type position: `typeof import(…)`, `x: import(…).T`, `<import(…)>`, `type T = import(…)`.
    if (/(typeof\s*|[:<|&]\s*)$/.test(before) || /^\s*(export\s+)?type\s/.test(before)) continue;
    out.push(
      `${file.path}: import("${
        m[3]
      }") is walked by Deno at start-up; use lazyImport (${LAZY_IMPORT})`,
    );
  }
  return out;
}

/** The layer problems of these files (empty when the rule holds). */
export function checkDeps(files: SourceFile[]): string[] {
  const problems: string[] = [];
  for (const file of files) {
    const from = placeOf(file.path, problems);
    if (!from) continue;
    problems.push(...lazyProblems(file));
    for (const { spec, raw } of importsOf(file.text)) {
      if (spec === null && BY_EXPRESSION.has(file.path)) continue; // see the module comment
      if (spec === null) {
        problems.push(
          `${file.path}: an import whose specifier is not a literal cannot be checked: ${raw}`,
        );
        continue;
      }
      if (/^(npm|jsr|https?|file|data):/.test(spec)) {
        problems.push(
          `${file.path}: "${spec}": import npm packages by their name in deno.json's import map`,
        );
      }
      const pkg = spec.replace(/^npm:/, "").replace(/(?<=.)@[^/]*$/, "");
      if (pkg === "neo-blessed" && !(from.area === "tui" && from.part === "widgets")) {
        problems.push(`${file.path}: only src/tui/widgets may import neo-blessed`);
      }
      if ((pkg === "ssh2" || pkg.startsWith("ssh2/")) && from.area !== "sources") {
        problems.push(`${file.path}: only src/sources may import ssh2`);
      }
      if (!spec.startsWith(".")) continue;
      const target = join(file.path.split("/").slice(0, -1).join("/"), spec);
      const to = placeOf(target, problems);
      if (!to) continue;
      if (to.n > from.n) {
        problems.push(
          `${file.path}: ${from.area} (layer ${from.n}) must not import ${to.area} (layer ${to.n}): ${spec}`,
        );
      } else if (
        from.part !== undefined && to.part !== undefined &&
        (TUI_PARTS[to.part] ?? 0) > (TUI_PARTS[from.part] ?? 0)
      ) {
        problems.push(`${file.path}: tui/${from.part} must not import tui/${to.part}: ${spec}`);
      }
    }
  }
  return [...new Set(problems)];
}

async function walk(dir: string, rel: string): Promise<SourceFile[]> {
  const out: SourceFile[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory) out.push(...await walk(`${dir}/${e.name}`, `${rel}/${e.name}`));
    else if (e.name.endsWith(".ts")) {
      out.push({ path: `${rel}/${e.name}`, text: await Deno.readTextFile(`${dir}/${e.name}`) });
    }
  }
  return out;
}

if (import.meta.main) {
  const top = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
  const files = [
    ...await walk(`${top}/src`, "src"),
    { path: "main.ts", text: await Deno.readTextFile(`${top}/main.ts`) },
  ];
  const problems = checkDeps(files);
  if (problems.length) {
    console.error(problems.join("\n"));
    console.error(`${problems.length} dependency direction problem(s)`);
    Deno.exit(1);
  }
  console.log("dependency directions ok");
}
