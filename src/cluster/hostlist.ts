/**
 * Slurm hostlist expressions, the one parser for every NodeList s9s reads: `node[01-04,07]`,
 * `a[1-2]-ib,b3`, `rack[1-2]-n[1-2]` (several bracket groups multiply), commas inside brackets
 * (nested ranges) and zero padding taken from the range's first bound, as Slurm writes them.
 * @module
 */

/** An expression that is not a hostlist (unbalanced brackets, a bad range). */
export class HostlistError extends Error {
  constructor(expr: string, why: string) {
    super(`invalid node list "${expr}": ${why}`);
    this.name = "HostlistError";
  }
}

/** The most names one expression may expand to (a typo like `n[1-99999999]` fails instead). */
export const MAX_HOSTS = 65_536;

/** What Slurm prints for a job without nodes. */
const NO_NODES = new Set(["", "(null)", "None assigned", "None", "(none)"]);

/** Split at top-level commas (commas inside brackets belong to a range list). */
function topLevelItems(expr: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (c === "[") {
      if (depth > 0) throw new HostlistError(expr, "brackets may not nest");
      depth++;
    } else if (c === "]") {
      if (depth === 0) throw new HostlistError(expr, 'unmatched "]"');
      depth--;
    } else if ((c === "," || c === " ") && depth === 0) {
      items.push(expr.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) throw new HostlistError(expr, 'unmatched "["');
  items.push(expr.slice(start));
  return items.filter((s) => s !== "");
}

/** `01-04,07` → ["01","02","03","04","07"], padded as the low bound is. */
function expandRanges(expr: string, ranges: string): string[] {
  const out: string[] = [];
  for (const part of ranges.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new HostlistError(expr, `"${part}" is not a number or a range`);
    const lo = Number(m[1]);
    const hi = m[2] !== undefined ? Number(m[2]) : lo;
    if (hi < lo) throw new HostlistError(expr, `range "${part}" runs backwards`);
    if (hi - lo + 1 > MAX_HOSTS) throw new HostlistError(expr, `more than ${MAX_HOSTS} names`);
    const width = m[1].length > 1 && m[1].startsWith("0") ? m[1].length : 0;
    for (let n = lo; n <= hi; n++) out.push(String(n).padStart(width, "0"));
  }
  return out;
}

/** One top-level item (`a[1-2]-ib`): the product of its literal parts and bracket groups. */
function expandItem(expr: string, item: string, limit: number): string[] {
  let names = [""];
  const re = /\[([^\]]*)\]/g;
  let last = 0;
  for (let m; (m = re.exec(item));) {
    const prefix = item.slice(last, m.index);
    const values = expandRanges(expr, m[1]);
    if (names.length * values.length > limit) {
      throw new HostlistError(expr, `more than ${MAX_HOSTS} names`);
    }
    names = names.flatMap((n) => values.map((v) => n + prefix + v));
    last = re.lastIndex;
  }
  const rest = item.slice(last);
  return names.map((n) => n + rest);
}

/**
 * Every host name of a Slurm hostlist expression, in order ([] for a job without nodes:
 * `(null)`, `None assigned`). Throws {@link HostlistError} when it is malformed.
 */
export function expandHostlist(expr: string | undefined): string[] {
  const text = (expr ?? "").trim();
  if (NO_NODES.has(text)) return [];
  const hosts: string[] = [];
  for (const item of topLevelItems(text)) {
    hosts.push(...expandItem(text, item, MAX_HOSTS - hosts.length));
  }
  return hosts;
}

/** The first host of an expression ("node[01-04,07]" → "node01"); undefined when none or bad. */
export function firstHost(expr: string | undefined): string | undefined {
  try {
    return expandHostlist(expr)[0];
  } catch {
    return undefined;
  }
}
