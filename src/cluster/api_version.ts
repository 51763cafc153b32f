/**
 * slurmrestd's OpenAPI versions: which ones s9s speaks, which one a server offers, which to use.
 * @module
 */

/** API versions s9s understands, newest first (discovery prefers the first one offered). */
export const SUPPORTED_VERSIONS = [
  "v0.0.43",
  "v0.0.42",
  "v0.0.41",
  "v0.0.40",
  "v0.0.39",
  "v0.0.38",
  "v0.0.37",
  "v0.0.36",
] as const;

/** "0.0.40" or "v0.0.40" → "v0.0.40". */
export function normalizeVersion(v: string): string {
  const t = v.trim();
  return /^\d/.test(t) ? `v${t}` : t;
}

/** Versions whose paths an OpenAPI document lists (`/slurm/v0.0.40/…`). */
export function versionsInSpec(doc: unknown): string[] {
  if (!isRecord(doc) || !isRecord(doc.paths)) return [];
  const found = new Set<string>();
  for (const p of Object.keys(doc.paths)) {
    const m = /^\/slurm\/(v\d+\.\d+\.\d+)\//.exec(p);
    if (m) found.add(m[1]);
  }
  return [...found];
}

/** The newest offered version s9s knows; else the newest offered; undefined when none. */
export function pickVersion(offered: string[]): string | undefined {
  const known = SUPPORTED_VERSIONS.find((v) => offered.includes(v));
  if (known) return known;
  return [...offered].sort(compareVersions).at(-1);
}

function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^v/, "").split(".").map(Number);
  const pb = b.replace(/^v/, "").split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
