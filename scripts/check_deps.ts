/**
 * Dependency direction check (part of `deno task lint`):
 * config ← engine ← sources/cluster/sinks/persist ← cli/tui ← main.ts.
 * The engine and everything below it never import cli/, tui/ or neo-blessed.
 */
const root = new URL("../src/", import.meta.url).pathname;
const layer: Record<string, number> = {
  platform: 0,
  config: 0,
  "errors.ts": 0,
  "version.ts": 0,
  engine: 1,
  sources: 2,
  cluster: 2,
  sinks: 2,
  persist: 2,
  integrations: 2,
  "mod.ts": 3,
  cli: 3,
  tui: 3,
};
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

function areaOf(path: string): string {
  return path.slice(root.length).replace(/^\/+/, "").split("/")[0];
}

for (const file of await walk(root.replace(/\/$/, ""))) {
  const from = areaOf(file);
  const text = await Deno.readTextFile(file);
  for (
    const m of text.matchAll(
      /(?:import|export)[^"']*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g,
    )
  ) {
    const spec = m[1] ?? m[2];
    if (spec === "neo-blessed" && from !== "tui") {
      problems.push(`${file}: only src/tui may import neo-blessed`);
    }
    if (!spec.startsWith(".")) continue;
    const target = new URL(spec, `file://${file}`).pathname;
    if (!target.startsWith(root)) continue;
    const to = areaOf(target);
    if (
      (layer[to] ?? 0) > (layer[from] ?? 0) && !(from === "engine" && to === "sources") &&
      !(from === "engine" && to === "cluster")
    ) {
      problems.push(`${file.slice(root.length)}: ${from} must not import ${to} (${spec})`);
    }
  }
}
if (problems.length) {
  console.error(problems.join("\n"));
  Deno.exit(1);
}
console.log("dependency directions ok");
