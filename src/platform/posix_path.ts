/**
 * POSIX path operations with Node's `path.posix` results (a test compares them on generated
 * paths). Written here because the first `node:` import sets up Deno's Node compatibility layer,
 * ≈ 14 ms of every start-up, and `s9s stream` needs nothing else of it.
 * @module
 */

/** Resolve `.` and `..` segments and repeated slashes; `allowAboveRoot` keeps leading `..`. */
function normalizeSegments(path: string, allowAboveRoot: boolean): string {
  const out: string[] = [];
  for (const seg of path.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (allowAboveRoot) out.push("..");
      continue;
    }
    out.push(seg);
  }
  return out.join("/");
}

/** Whether `path` starts at the root. */
export function isAbsolute(path: string): boolean {
  return path.startsWith("/");
}

/** `path` without `.`/`..` segments and repeated slashes; a trailing slash is kept. */
export function normalize(path: string): string {
  if (path === "") return ".";
  const abs = isAbsolute(path);
  const trailing = path.endsWith("/");
  let p = normalizeSegments(path, !abs);
  if (p === "") {
    if (abs) return "/";
    return trailing ? "./" : ".";
  }
  if (trailing) p += "/";
  return abs ? `/${p}` : p;
}

/** Join the non-empty parts with `/` and normalize. */
export function join(...parts: string[]): string {
  const joined = parts.filter((p) => p !== "").join("/");
  return joined === "" ? "." : normalize(joined);
}

/** An absolute path: the parts from the right up to the first absolute one, else from the cwd. */
export function resolve(...parts: string[]): string {
  let resolved = "";
  let abs = false;
  for (let i = parts.length - 1; i >= -1 && !abs; i--) {
    const p = i >= 0 ? parts[i] : Deno.cwd();
    if (p === "") continue;
    resolved = `${p}/${resolved}`;
    abs = isAbsolute(p);
  }
  const norm = normalizeSegments(resolved, !abs);
  if (abs) return `/${norm}`;
  return norm === "" ? "." : norm;
}

/** The directory part of `path` (`.` when it has none; trailing slashes ignored). */
export function dirname(path: string): string {
  if (path === "") return ".";
  const abs = path[0] === "/";
  let end = -1;
  let inTrailingSlashes = true;
  for (let i = path.length - 1; i >= 1; i--) {
    if (path[i] !== "/") inTrailingSlashes = false;
    else if (!inTrailingSlashes) {
      end = i;
      break;
    }
  }
  if (end === -1) return abs ? "/" : ".";
  if (abs && end === 1) return "//";
  return path.slice(0, end);
}

/** The last name of `path` (trailing slashes ignored). */
export function basename(path: string): string {
  let end = path.length;
  while (end > 0 && path[end - 1] === "/") end--;
  if (end === 0) return "";
  return path.slice(path.lastIndexOf("/", end - 1) + 1, end);
}
