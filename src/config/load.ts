/**
 * Load the configuration: defaults < file < environment < flags, validated in one pass so that
 * every problem is reported at once with its key path, file and line.
 * @module
 */
import type { LineCounter } from "yaml";
import { UsageError } from "../errors.ts";
import { didYouMean } from "../core/did_you_mean.ts";
import { expandHome, s9sDir } from "../platform/paths.ts";
import type { Config } from "./schema.ts";
import { defaultRawConfig, KEY_ALIASES, type RawConfig, RETIRED_KEYS } from "./defaults.ts";
import { defaultConfig } from "./default_config.ts";
import { cachedConfig, configCacheKey, rememberConfig } from "./config_cache.ts";
import { envName, markOrigins, type Origins } from "./origins.ts";
import { lazyImport } from "../platform/lazy_import.ts";

/** Where the configuration came from, for `config show` and messages. */
export interface LoadedConfig {
  /** The parsed, typed configuration. */
  config: Config;
  /** The merged raw tree (for `config show`). */
  raw: RawConfig;
  /** The file that was read, if any. */
  file?: string;
  /** Where each key's value came from (only when {@link LoadOptions.origins} asked for it). */
  origins?: Origins;
}

/** Options for {@link loadConfig}. */
export interface LoadOptions {
  /** `--config FILE`; it must exist. */
  file?: string;
  /** Where `file` was given, for the hint when it cannot be read (default "--config"). */
  fileFrom?: string;
  /** Environment (defaults to Deno.env). */
  env?: Record<string, string>;
  /** Overrides from flags, as a raw tree. */
  overrides?: RawConfig;
  /**
   * Use and fill the cache of validated configurations (`config_cache.ts`): for commands that
   * only need the result, never for `s9s config validate`.
   */
  cache?: boolean;
  /** Record where each key's value came from (`s9s config show`). */
  origins?: boolean;
  /** Keys set by flags that are not overrides of the tree: path → the flag, for origins. */
  flagNames?: Record<string, string>;
}

interface FileLayer {
  data: RawConfig;
  locate: (path: (string | number)[], atKey?: boolean) => string;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Deep-merge `src` into `dst` (objects merge, everything else replaces). */
export function deepMerge(dst: RawConfig, src: RawConfig): RawConfig {
  for (const [k, v] of Object.entries(src)) {
    if (isPlainObject(v) && isPlainObject(dst[k])) {
      deepMerge(dst[k] as RawConfig, v);
    } else {
      dst[k] = v;
    }
  }
  return dst;
}

export { didYouMean };

const ARRAY_ITEM_KEYS: Record<string, string[]> = {
  "streaming.filters": ["name", "pattern", "action", "color", "highlight"],
  "streaming.alerts": ["name", "pattern", "action", "url", "type", "command", "cooldown"],
};

function knownKeysAt(path: (string | number)[]): string[] {
  const named = path.filter((p) => typeof p === "string").join(".");
  if (typeof path[path.length - 1] === "number") {
    const arr = path.slice(0, -1).join(".");
    if (ARRAY_ITEM_KEYS[arr]) return ARRAY_ITEM_KEYS[arr];
  }
  let node: unknown = defaultRawConfig();
  for (const p of path) node = isPlainObject(node) ? node[p as string] : undefined;
  const keys = isPlainObject(node) ? Object.keys(node) : [];
  return [...keys, ...Object.keys(KEY_ALIASES[named] ?? {})];
}

/** Refuse (and take out of `layer`) the keys that cannot apply to s9s, each with its reason. */
function refuseRetired(layer: RawConfig, problems: string[], where: (p: string[]) => string) {
  for (const [key, why] of Object.entries(RETIRED_KEYS)) {
    const parts = key.split(".");
    let node: unknown = layer;
    for (const p of parts.slice(0, -1)) node = isPlainObject(node) ? node[p] : undefined;
    const last = parts[parts.length - 1];
    if (!isPlainObject(node) || !(last in node)) continue;
    problems.push(`${key}: not used by s9s: ${why}${where(parts)}`);
    delete node[last];
  }
}

/** Rename alias keys (persistence.base_dir → directory) in one layer; both at once must agree. */
function normalizeAliases(layer: RawConfig, problems: string[], where: (p: string[]) => string) {
  for (const [section, aliases] of Object.entries(KEY_ALIASES)) {
    const parts = section.split(".");
    let node: unknown = layer;
    for (const p of parts) node = isPlainObject(node) ? node[p] : undefined;
    if (!isPlainObject(node)) continue;
    for (const [alias, canonical] of Object.entries(aliases)) {
      if (!(alias in node)) continue;
      if (canonical in node && node[canonical] !== node[alias]) {
        problems.push(
          `${section}.${alias}: conflicts with ${section}.${canonical}; set only one of them${
            where([...parts, alias])
          }`,
        );
      }
      node[canonical] = node[alias];
      delete node[alias];
    }
  }
}

async function readFileLayer(
  file: string,
  text: string,
  problems: string[],
): Promise<FileLayer | undefined> {
  // Loaded only when there is a file to read: no config file, no YAML parser.
  const { isMap, LineCounter, parseDocument } = await lazyImport<typeof import("./yaml.ts")>(
    "src/config/yaml.ts",
  );
  const lineCounter: LineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      // Without prettyErrors the parser leaves linePos unset; the offset is always there.
      const line = e.linePos?.[0]?.line ?? lineCounter.linePos(e.pos[0]).line;
      const what = e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
      problems.push(`YAML syntax error: ${what} (${file} line ${line})`);
    }
    return undefined;
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
  } catch (err) {
    if (!(err instanceof ReferenceError)) throw err;
    // "Excessive alias count": aliases of aliases that expand exponentially (billion laughs).
    problems.push(
      `YAML aliases (*name) expand to too many nodes (over ${MAX_ALIAS_COUNT} per anchor); ` +
        `write the values out instead (${file})`,
    );
    return undefined;
  }
  if (!isPlainObject(data)) {
    problems.push(`expected a mapping with a "streaming:" section at the top (${file} line 1)`);
    return undefined;
  }
  const keyLine = (path: (string | number)[]): number | undefined => {
    const parent = doc.getIn(path.slice(0, -1), true);
    if (!isMap(parent)) return undefined;
    const pair = parent.items.find((it) =>
      (it.key as { value?: unknown })?.value === path[path.length - 1]
    );
    const kr = (pair?.key as { range?: [number, number] })?.range;
    return kr ? lineCounter.linePos(kr[0]).line : undefined;
  };
  const locate = (path: (string | number)[], atKey = false) => {
    if (atKey) {
      const line = keyLine(path);
      if (line !== undefined) return ` (${file} line ${line})`;
    }
    for (let n = path.length; n > 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number] } | undefined;
      // For a key that is itself unknown, point at the key of the enclosing map.
      const target = node && typeof node === "object" && "range" in node ? node : undefined;
      if (target?.range) {
        return ` (${file} line ${lineCounter.linePos(target.range[0]).line})`;
      }
      const parent = doc.getIn(path.slice(0, n - 1), true);
      if (isMap(parent)) {
        const pair = parent.items.find((it) =>
          (it.key as { value?: unknown })?.value === path[n - 1]
        );
        const kr = (pair?.key as { range?: [number, number] })?.range;
        if (kr) return ` (${file} line ${lineCounter.linePos(kr[0]).line})`;
      }
    }
    return ` (${file})`;
  };
  return { data, locate };
}

/** A config file larger than this is refused before it is parsed. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** Aliases one anchor may expand to when the YAML becomes data (yaml's `maxAliasCount`). */
const MAX_ALIAS_COUNT = 100;

/** Read a config file, refusing one over {@link MAX_CONFIG_BYTES} (or not a regular file). */
async function readCapped(file: string): Promise<string> {
  using f = await Deno.open(file);
  const info = await f.stat();
  if (info.isDirectory) throw new Deno.errors.IsADirectory(file);
  // Read up to one byte past the cap: a FIFO or /proc file reports no size. The buffer starts at
  // the file's size (not the cap: zeroing a mebibyte cost more than reading a small file).
  let buf = new Uint8Array(Math.min(MAX_CONFIG_BYTES + 1, Math.max(info.size + 1, 16 * 1024)));
  let n = 0;
  for (;;) {
    if (n === buf.length) {
      if (n > MAX_CONFIG_BYTES) break;
      const bigger = new Uint8Array(Math.min(MAX_CONFIG_BYTES + 1, buf.length * 2));
      bigger.set(buf);
      buf = bigger;
    }
    const got = await f.read(buf.subarray(n));
    if (got === null) break;
    n += got;
  }
  if (n > MAX_CONFIG_BYTES || info.size > MAX_CONFIG_BYTES) {
    throw new UsageError(
      `config file "${file}" is larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MiB` +
        (info.size > 0 ? ` (${(info.size / 1024 / 1024).toFixed(1)} MiB)` : ""),
      { hint: "an s9s config is a few kilobytes of YAML; check that this is the right file" },
    );
  }
  return new TextDecoder().decode(buf.subarray(0, n));
}

/** Parse `S9S_STREAMING__BUFFER__MAX_LINES=100`-style variables into a raw tree. */
export function envLayer(env: Record<string, string>): RawConfig {
  const out: RawConfig = {};
  for (const [name, value] of Object.entries(env)) {
    // A login node's environment holds hundreds of variables (module systems): most are passed
    // over without running the pattern (its first use compiles it, ≈ 0.1 ms at every start).
    if (!name.startsWith("S9S_")) continue;
    const m = /^S9S_(STREAMING|CLUSTER)__([A-Z0-9_]+(?:__[A-Z0-9_]+)*)$/.exec(name);
    if (!m) continue;
    const path = [m[1].toLowerCase(), ...m[2].split("__").map((p) => p.toLowerCase())];
    let node = out;
    for (const p of path.slice(0, -1)) node = (node[p] ??= {}) as RawConfig;
    node[path[path.length - 1]] = coerceEnv(value);
  }
  return out;
}

function coerceEnv(v: string): unknown {
  if (v === "true") return true;
  if (v === "false") return false;
  if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  return v;
}

/** The default config file path. */
export function defaultConfigPath(): string {
  return `${s9sDir()}/config.yaml`;
}

/**
 * Load and validate the configuration. Throws {@link UsageError} listing every problem.
 */
export async function loadConfig(options: LoadOptions = {}): Promise<LoadedConfig> {
  const env = options.env ?? Deno.env.toObject();
  const problems: string[] = [];
  let file = options.file ?? env.S9S_CONFIG;
  const explicit = file !== undefined && file !== "";
  if (!explicit) file = defaultConfigPath();
  file = expandHome(file!);

  let layer: FileLayer | undefined;
  let text: string | undefined;
  const hint = options.file
    ? `check the path given to ${options.fileFrom ?? "--config"}`
    : explicit
    ? "check $S9S_CONFIG, or unset it to use ~/.s9s/config.yaml"
    : `fix or remove "${file}"`;
  try {
    text = await readCapped(file);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    if (explicit || !(err instanceof Deno.errors.NotFound)) {
      const why = err instanceof Deno.errors.NotFound
        ? "does not exist"
        : err instanceof Deno.errors.PermissionDenied
        ? "is not readable (permission denied)"
        : err instanceof Deno.errors.IsADirectory
        ? "is a directory"
        : (err as Error).message;
      throw new UsageError(`config file "${file}" ${why}`, { hint });
    }
  }
  const envData = envLayer(env);
  const envSet = Object.keys(envData).length > 0;
  // Cached whenever there is something to validate: a file, `S9S_…` variables or flags (a
  // variable in ~/.bashrc or `--ssh-transport` would otherwise load the schema on every run).
  const cacheKey = options.cache && (text !== undefined || envSet || options.overrides)
    ? configCacheKey({ file, text: text ?? null, env: envData, overrides: options.overrides })
    : undefined;
  if (cacheKey) {
    const hit = cachedConfig(cacheKey);
    if (hit) return { ...hit, file: text !== undefined ? file : undefined };
  }
  const raw = defaultRawConfig();
  const origins: Origins | undefined = options.origins ? new Map() : undefined;
  if (origins) markOrigins(origins, raw, "default");
  if (text !== undefined) {
    layer = await readFileLayer(file, text, problems);
    if (layer) {
      normalizeAliases(layer.data, problems, (p) => layer!.locate(p));
      refuseRetired(layer.data, problems, (p) => layer!.locate(p, true));
      deepMerge(raw, structuredClone(layer.data));
      if (origins) {
        markOrigins(origins, layer.data, "file", (p) => layer!.locate(p, true).slice(2, -1));
      }
    }
  }
  if (text === undefined && !envSet && !options.overrides) {
    // Nothing but the defaults: nothing to validate (and zod stays unloaded).
    return { config: defaultConfig(), raw, origins };
  }
  normalizeAliases(envData, problems, () => " (environment)");
  refuseRetired(envData, problems, (p) => ` (environment: ${envName(p)})`);
  deepMerge(raw, envData);
  if (origins) markOrigins(origins, envData, "env", envName);
  if (options.overrides) {
    deepMerge(raw, options.overrides);
    if (origins) {
      markOrigins(origins, options.overrides, "flag", (p) => options.flagNames?.[p.join(".")]);
    }
  }

  const { configSchema } = await lazyImport<typeof import("./schema.ts")>("src/config/schema.ts");
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const where = (p: (string | number)[], atKey = false) => layer ? layer.locate(p, atKey) : "";
      if (issue.code === "unrecognized_keys") {
        for (const key of issue.keys) {
          const path = [...issue.path as (string | number)[], key];
          const guess = didYouMean(key, knownKeysAt(issue.path as (string | number)[]));
          problems.push(
            `${path.join(".")}: unknown key${guess ? `; did you mean "${guess}"?` : ""}${
              where(path, true)
            }`,
          );
        }
      } else {
        const path = issue.path as (string | number)[];
        problems.push(`${path.join(".") || "(top level)"}: ${issue.message}${where(path)}`);
      }
    }
  }
  // Report in file order.
  const lineOf = (p: string) => Number(/ line (\d+)\)$/.exec(p)?.[1] ?? 1e9);
  problems.sort((a, b) => lineOf(a) - lineOf(b));
  if (problems.length > 0 || !result.success) {
    throw new UsageError(
      problems.length === 1
        ? `invalid configuration: ${problems[0]}`
        : `invalid configuration (${problems.length} problems)`,
      {
        details: problems.length === 1 ? [] : problems,
        hint: "fix the file, then check it with `s9s config validate`",
      },
    );
  }
  if (cacheKey) rememberConfig(cacheKey, result.data, raw);
  return { config: result.data, raw, file: text !== undefined ? file : undefined, origins };
}
