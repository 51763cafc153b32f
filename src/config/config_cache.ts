/**
 * The last validated configurations, kept in `~/.s9s/cache/config.json`: a start with an
 * unchanged config file skips the YAML parser and the schema (≈ 110 ms of loading npm packages,
 * more than all the rest of a short `s9s stream`); so does a start with unchanged `S9S_…`
 * variables or config flags and no file. An entry is used only when everything the result
 * depends on is the same as when it was made: the file's text (compared whole, not by a hash) or
 * that there is none, the `S9S_…` environment layer, the flag overrides, and the build of s9s
 * (the compiled binary's size and time; from source, the config modules' sizes and times). Only
 * configurations that passed validation are kept; `s9s config validate` never reads the cache.
 * Any trouble with the cache (unreadable, corrupt, read-only home) means parsing as usual.
 * @module
 */
import type { Config } from "./schema.ts";
import type { RawConfig } from "./defaults.ts";
import { s9sDir } from "../platform/paths.ts";
import { isCompiled } from "../version.ts";
import { bundleId, sourceUrl } from "../platform/lazy_import.ts";
import { stampText } from "../platform/bundle.ts";

/** What a cached result depends on. */
export interface CacheKey {
  file: string;
  /** The file's text; null when there is no file (the environment or flags alone). */
  text: string | null;
  env: RawConfig;
  overrides?: RawConfig;
}

interface Entry {
  key: string;
  config: Config;
  raw: RawConfig;
}

/** Entries kept (one per config file and environment, the most recent first). */
const MAX_ENTRIES = 8;
const FORMAT = 1;

/** The modules whose change may change what a config file means (source runs). */
const CONFIG_MODULES = [
  "schema.ts",
  "defaults.ts",
  "load.ts",
  "units.ts",
  "regex.ts",
  "config_cache.ts",
  "alert_rules.ts",
  "origins.ts",
];

function cachePath(): string {
  return `${s9sDir()}/cache/config.json`;
}

let build: string | undefined;
/** Identifies this build of s9s: a cache made by another build is not used. */
function buildStamp(): string {
  if (build !== undefined) return build;
  const here = sourceUrl("src/config/");
  // From the bundle: its id (main.ts ran it only because it matches the sources).
  const bundle = bundleId();
  build = bundle
    ? `bundle:${bundle}`
    : here.protocol === "file:" && !isCompiled()
    ? CONFIG_MODULES.map((m) => stampText(new URL(m, here))).join(",")
    : `exe:${stampText(Deno.execPath())}`;
  return build;
}

/** Whether `v` is made of what JSON gives back unchanged. */
function isPlainData(v: unknown): boolean {
  if (v === null || typeof v === "string" || typeof v === "boolean") return true;
  if (typeof v === "number") return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(isPlainData);
  if (typeof v !== "object" || Object.getPrototypeOf(v) !== Object.prototype) return false;
  return Object.values(v as object).every(isPlainData);
}

/** The cache key for `k` (computed at once: later changes to its objects do not matter). */
export function configCacheKey(k: CacheKey): string {
  return JSON.stringify([FORMAT, buildStamp(), k.file, k.text, k.env, k.overrides ?? null]);
}

function readEntries(): Entry[] {
  try {
    const data = JSON.parse(Deno.readTextFileSync(cachePath()));
    return Array.isArray(data?.entries) ? data.entries : [];
  } catch {
    return [];
  }
}

/** The validated configuration for `key`, if this build validated exactly that before. */
export function cachedConfig(k: string): { config: Config; raw: RawConfig } | undefined {
  const hit = readEntries().find((e) => e.key === k);
  return hit ? { config: hit.config, raw: hit.raw } : undefined;
}

/** Remember a configuration that passed validation (best effort: errors are ignored). */
export function rememberConfig(k: string, config: Config, raw: RawConfig): void {
  // Only plain data comes back from JSON as it was; anything else is simply not cached.
  if (!isPlainData(config) || !isPlainData(raw)) return;
  const entries = [{ key: k, config, raw }, ...readEntries().filter((e) => e.key !== k)]
    .slice(0, MAX_ENTRIES);
  const path = cachePath();
  const tmp = `${path}.${Deno.pid}.tmp`;
  try {
    Deno.mkdirSync(`${s9sDir()}/cache`, { recursive: true, mode: 0o700 });
    Deno.writeTextFileSync(tmp, JSON.stringify({ entries }), { mode: 0o600 });
    Deno.renameSync(tmp, path);
  } catch {
    try {
      Deno.removeSync(tmp);
    } catch { /* not written */ }
  }
}
