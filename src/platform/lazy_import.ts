/**
 * Modules s9s loads only when a run needs them, and the one way to load them.
 *
 * Deno walks the whole module graph of the entry point before running it, and a dynamic import
 * with a literal specifier is part of that graph: `s9s --version` used to pay
 * for reading and analysing every subcommand, the TUI and the npm packages (≈ 7 ms of CPU). An
 * import through {@link lazyImport} is invisible to that walk; Deno loads the module's own graph
 * when the import runs.
 *
 * Whatever must have every module at hand reads {@link LAZY_MODULES}: `deno task compile`
 * (`--include` each, or the binary would lack them), scripts/check_payload.ts, the cache
 * warm-up (`deno install --entrypoint main.ts <each>`, see scripts/test.ts and the README) and
 * `deno task bundle` (each is in one of the bundle's entry points, see {@link BUNDLE_PACKS}).
 *
 * The same code runs from the sources or from the bundle: this module knows which by its own
 * file (a `.js` chunk of `dist/bundle/<id>/`, which scripts/bundle.ts checks it lands in), and
 * then loads the bundle's build of each module, never the source's, so that no module is loaded
 * twice with two states.
 * @module
 */
import { fromPack, packExport, PROGRAM_PACK } from "./bundle.ts";

/**
 * How the bundle groups the lazily imported modules into its entry points ("packs"): importing a
 * module from the bundle loads its whole pack. A pack holds modules one run mostly loads together
 * and brings no npm package that one of them alone would not (those stay by themselves, in
 * {@link UNPACKED}). The bundler puts code that several entry points share into chunks, one per set
 * of entry points that share it, so forty entry points made `s9s stream` load 52 files, and these
 * packs 27 of the same size, ≈ 2.6 ms less of ≈ 25 ms of loading (measured side by side, the
 * task's V8 flags, code cache warm); `deno task bundle` then merges into the front and engine
 * packs the chunks they always load (scripts/bundle_merge.ts): 4 files.
 */
export const BUNDLE_PACKS = {
  // main.ts: the program, its fast paths, the errors — what every run loads first.
  [PROGRAM_PACK]: [
    "src/cli/program.ts",
    "src/version.ts",
    "src/errors.ts",
    "src/cli/usage_errors.ts",
    "src/cli/stream_options.ts",
  ],
  // The engine and its `s9s stream` face.
  engine: ["src/cli/stream.ts", "src/persist/attach.ts", "src/sinks/text.ts"],
  // The terminal UI's face (which then adds its views), and the scroll-back buffers the engine
  // keeps for it (a library's default too; `s9s stream` keeps none).
  tui: ["src/cli/tui.ts", "src/engine/stream_buffer.ts"],
  // What only some `s9s stream` runs use: --explain and --tasks.
  "stream-extras": ["src/engine/explain.ts", "src/engine/task_split.ts"],
  // The commander program (npm:commander) and its subcommands.
  commands: [
    "src/cli/commander_options.ts",
    "src/cli/stream_command.ts",
    "src/cli/jobs.ts",
    "src/cli/config.ts",
    "src/cli/history.ts",
    "src/cli/completions.ts",
    "src/cli/doctor.ts",
    "src/cli/submit_command.ts",
  ],
  submit: ["src/cli/submit.ts", "src/cli/submit_rest.ts"],
  integrations: [
    "src/sinks/integrations.ts",
    "src/sinks/alerts.ts",
    "src/sinks/prometheus.ts",
    "src/sinks/syslog.ts",
  ],
  cluster: ["src/cluster/mock.ts", "src/cluster/backend.ts", "src/cluster/slurm_rest.ts"],
  // Remote sources, without ssh2 (src/sources/ssh_pool.ts, by itself).
  remote: [
    "src/sources/ssh.ts",
    "src/sources/sattach.ts",
    "src/sources/sftp.ts",
    "src/sources/ssh_transport.ts",
    "src/sources/remote_shell.ts",
    "src/sources/openssh_pool.ts",
  ],
} as const;

/**
 * Lazily imported modules in no pack, each an entry point of the bundle by itself: each brings an
 * npm package (the TUI's neo-blessed, fflate, zod, yaml, ssh2) or is a small word on its own.
 */
const UNPACKED = [
  "src/tui/views/app.ts",
  "src/persist/fflate_gzip.ts",
  "src/config/schema.ts",
  "src/config/yaml.ts",
  "src/config/origins.ts",
  "src/config/streaming_off.ts",
  "src/sources/ssh_pool.ts",
] as const;

/**
 * Every module loaded through {@link lazyImport}, by path from the repository root. Each is an
 * entry point of its own graph: what it imports statically comes with it.
 */
export const LAZY_MODULES = [...Object.values(BUNDLE_PACKS).flat(), ...UNPACKED];

/** A module {@link lazyImport} may load. */
export type LazyModule =
  | typeof BUNDLE_PACKS[keyof typeof BUNDLE_PACKS][number]
  | typeof UNPACKED[number];

/** The pack of each module, and of the worker (by itself), by path from the repository root. */
const PACK_OF = new Map<string, string>(
  Object.entries(BUNDLE_PACKS).flatMap(([pack, mods]) =>
    mods.map((m): [string, string] => [m, pack])
  ),
);

/** The bundle's entry points: each pack's name and modules, a module in no pack by itself. */
export function bundlePacks(): [string, string[]][] {
  const packs = new Map<string, string[]>();
  for (const m of [...LAZY_MODULES, WORKER_MODULE]) {
    const pack = packName(m);
    packs.set(pack, [...packs.get(pack) ?? [], m]);
  }
  return [...packs];
}

function packName(path: string): string {
  return PACK_OF.get(path) ?? path.replace(/^src\//, "").replace(/\.ts$/, "").replace(/\//g, "-");
}

export { packExport };

/** This code runs from the bundle (a chunk at the root of `dist/bundle/<id>/`). */
const BUNDLED = import.meta.url.endsWith(".js");
/** The repository root: main.ts, which starts the bundle too, sits there. */
const ROOT = BUNDLED ? new URL(".", Deno.mainModule) : new URL("../../", import.meta.url);
/** The build directory of the bundle this code runs from. */
const BUNDLE_ROOT = BUNDLED ? new URL(".", import.meta.url) : undefined;

/** The file of the bundle that holds `path`'s module: its pack's, at the build's root. */
export function bundledPath(path: string): string {
  return `${packName(path)}.js`;
}

/** The id of the bundle this code runs from (its build directory), undefined from the sources. */
export function bundleId(): string | undefined {
  return BUNDLE_ROOT?.pathname.split("/").at(-2);
}

/** The worker that compresses history files, started with `new Worker(moduleUrl(…))`. */
export const WORKER_MODULE = "src/persist/gzip_worker.ts";

/**
 * Where the code of the worker ({@link WORKER_MODULE}) is loaded from: the bundle's build of it
 * (its pack, which only loads it) when this code runs from the bundle, else the source.
 */
export function moduleUrl(path: typeof WORKER_MODULE): URL {
  return BUNDLE_ROOT ? new URL(bundledPath(path), BUNDLE_ROOT) : new URL(path, ROOT);
}

/**
 * A file of s9s's sources (or a data file beside them), by path from the repository root: what a
 * module would find with `new URL("./x", import.meta.url)`, wherever the module's code runs.
 */
export function sourceUrl(path: string): URL {
  return new URL(path, ROOT);
}

/**
 * Import `path` (one of {@link LAZY_MODULES}) at run time, out of sight of Deno's start-up walk.
 * The caller names the module's type with a `typeof import(…)` of the same file, relative to
 * itself (a type-only reference, which `deno run` does not load); `deno task lint` checks that
 * the two name the same file, and that no other dynamic import is left.
 */
export function lazyImport<M>(path: LazyModule): Promise<M> {
  if (!BUNDLE_ROOT) return import(new URL(path, ROOT).href);
  return fromPack<M>(new URL(bundledPath(path), BUNDLE_ROOT), path);
}
