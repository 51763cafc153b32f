/**
 * Durations ("100ms", "30s", "5m", "7d") and sizes ("4KB", "10MB") as written in config files
 * and flags.
 * @module
 */

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/**
 * Parse a duration such as `100ms`, `1.5s`, `5m`, `1h30m` or `7d` into milliseconds.
 * Returns `undefined` when the text is not a duration.
 */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === "number") return text === 0 ? 0 : undefined;
  const s = text.trim().toLowerCase();
  if (s === "0") return 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/y;
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * DURATION_UNITS[m[2]];
    pos = re.lastIndex;
  }
  return pos === 0 ? undefined : Math.round(total);
}

/** Parse a size such as `64KB`, `10MB`, `1.5GiB` or a plain byte count into bytes. */
export function parseSize(text: string | number): number | undefined {
  if (typeof text === "number") {
    return Number.isFinite(text) && text >= 0 ? Math.floor(text) : undefined;
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = m[2].toLowerCase() || "b";
  const mult = SIZE_UNITS[unit];
  if (mult === undefined) return undefined;
  return Math.floor(Number(m[1]) * mult);
}

/** Format a byte count for people: `1.5 MB`. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 10 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

/** Format milliseconds as a compact duration: `1h02m`, `3m05s`, `12s`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const p = (n: number) => String(n).padStart(2, "0");
  if (d > 0) return `${d}-${p(h)}:${p(m)}:${p(sec)}`;
  if (h > 0) return `${h}:${p(m)}:${p(sec)}`;
  return `${m}:${p(sec)}`;
}
