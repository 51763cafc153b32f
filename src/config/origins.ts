/**
 * Where each key's effective value came from — the defaults, the config file (with its line),
 * an `S9S_…` variable or a flag — for `s9s config show`. Lists (filters, alerts, patterns) are
 * one key each: a layer that sets a list replaces it whole.
 * @module
 */
import type { RawConfig } from "./defaults.ts";

/** The layer a value came from. */
export type OriginKind = "default" | "file" | "env" | "flag";

/** Where one key's value came from. */
export interface KeyOrigin {
  from: OriginKind;
  /** The file and line, the variable or the flag; absent for defaults. */
  where?: string;
}

/** Key path ("streaming.buffer.max_lines") → origin. */
export type Origins = Map<string, KeyOrigin>;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Call `visit` for every leaf of `tree` (a list or an empty map is a leaf). */
export function forEachLeaf(
  tree: RawConfig,
  visit: (path: string[], value: unknown) => void,
  prefix: string[] = [],
): void {
  for (const [k, v] of Object.entries(tree)) {
    const path = [...prefix, k];
    if (isPlainObject(v) && Object.keys(v).length > 0) forEachLeaf(v, visit, path);
    else visit(path, v);
  }
}

/** Record that `layer` set each of its leaves; `where` names the place for one leaf. */
export function markOrigins(
  origins: Origins,
  layer: RawConfig,
  from: OriginKind,
  where?: (path: string[]) => string | undefined,
): void {
  forEachLeaf(layer, (path) => origins.set(path.join("."), { from, where: where?.(path) }));
}

/** The `S9S_…` variable that sets `path`. */
export function envName(path: string[]): string {
  return `S9S_${path.map((p) => p.toUpperCase()).join("__")}`;
}

/** How `config show` writes an origin: "default", "file c.yaml line 3", "env S9S_…". */
export function describeOrigin(o: KeyOrigin | undefined): string {
  if (!o) return "default";
  return o.where ? `${o.from} ${o.where}` : o.from;
}
