/**
 * The s9s version and the build facts `s9s --version` reports. Imports only where the sources
 * are, so the `--version` fast path stays a few milliseconds.
 * @module
 */
import { bundleId, sourceUrl } from "./platform/lazy_import.ts";
import { bundleManifest, PROGRAM_SOURCES } from "./platform/bundle.ts";

/** The s9s version. */
export const VERSION = "0.1.0";

/**
 * The git commit the binary was built from. A build step may stamp it here (replace the empty
 * string) or write it to `src/build_commit.txt` and embed that file (`deno compile --include
 * src/build_commit.txt`); from a git checkout, the commit is read from git instead.
 */
export const BUILD_COMMIT: string = "";

/** The commit file a compile step may embed beside this module. */
async function embeddedCommit(): Promise<{ commit?: string }> {
  try {
    const text = await Deno.readTextFile(sourceUrl("src/build_commit.txt"));
    const commit = text.trim();
    return /^[0-9a-f]{7,40}$/.test(commit) ? { commit } : {};
  } catch {
    return {};
  }
}

/** What `s9s --version` prints. */
export interface VersionInfo {
  version: string;
  /** Short commit hash, or undefined when unknown. */
  commit?: string;
  /** The commit has uncommitted changes on top (source checkouts only). */
  dirty?: boolean;
  deno: string;
  v8: string;
  typescript: string;
  /** Running as a `deno compile` binary. */
  compiled: boolean;
  target: string;
}

/**
 * True when running as a `deno compile` binary. `Deno.build.standalone` says so directly; older
 * runtimes lack it, and there a compiled program's main module sits in the `deno-compile-*`
 * virtual directory.
 */
export function isCompiled(): boolean {
  const standalone = (Deno.build as { standalone?: boolean }).standalone;
  if (typeof standalone === "boolean") return standalone;
  return /\/deno-compile-[^/]+\//.test(Deno.mainModule);
}

/** The text of a file, trimmed, or undefined when it cannot be read. */
function readText(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path).trim();
  } catch {
    return undefined;
  }
}

/**
 * The git directory of the checkout holding `dir`, as git finds it: the nearest `.git` above,
 * a directory or a `gitdir:` file (a worktree), not above `$GIT_CEILING_DIRECTORIES`.
 */
function findGitDir(dir: string): string | undefined {
  const ceilings = (Deno.env.get("GIT_CEILING_DIRECTORIES") ?? "").split(":").filter((c) => c)
    .map((c) => c.replace(/\/+$/, ""));
  for (let d = dir.replace(/\/+$/, ""); d !== ""; d = d.slice(0, d.lastIndexOf("/"))) {
    try {
      const st = Deno.statSync(`${d}/.git`);
      if (st.isDirectory) return `${d}/.git`;
      const m = /^gitdir: (.+)$/m.exec(Deno.readTextFileSync(`${d}/.git`));
      if (m) return m[1].startsWith("/") ? m[1] : `${d}/${m[1]}`;
    } catch { /* no .git here */ }
    if (ceilings.includes(d.slice(0, d.lastIndexOf("/")) || "/")) return undefined;
  }
  return undefined;
}

/**
 * The commit HEAD names, read from the git directory's files (a spawned `git rev-parse` costs
 * more than the rest of `--version`): a detached hash, or a branch's loose or packed ref.
 */
function headCommit(gitDir: string): string | undefined {
  const head = readText(`${gitDir}/HEAD`);
  if (!head) return undefined;
  const ref = /^ref: (\S+)$/.exec(head)?.[1];
  if (!ref) return /^[0-9a-f]{40,64}$/.test(head) ? head : undefined;
  const common = readText(`${gitDir}/commondir`);
  const commonDir = common ? (common.startsWith("/") ? common : `${gitDir}/${common}`) : gitDir;
  for (const dir of new Set([gitDir, commonDir])) {
    const loose = readText(`${dir}/${ref}`);
    if (loose && /^[0-9a-f]{40,64}$/.test(loose)) return loose;
  }
  const packed = readText(`${commonDir}/packed-refs`) ?? "";
  for (const line of packed.split("\n")) {
    const [hash, name] = line.split(" ");
    if (name === ref && /^[0-9a-f]{40,64}$/.test(hash)) return hash;
  }
  return undefined;
}

/**
 * The commit of a source checkout and whether the program's files ({@link PROGRAM_SOURCES}) have
 * uncommitted changes: HEAD from the git files; the changes as the bundle this code runs from
 * recorded them when HEAD is still its commit (its sources are as they were, or main.ts would
 * not have run it), else from `git diff --quiet HEAD -- …` (no git on PATH: the commit alone).
 */
function gitCommit(): { commit?: string; dirty?: boolean } {
  const root = sourceUrl("./");
  if (root.protocol !== "file:") return {};
  const dir = decodeURIComponent(root.pathname);
  const gitDir = findGitDir(`${dir}src`);
  const head = gitDir && headCommit(gitDir);
  if (!head) return {};
  const commit = head.slice(0, 12);
  const bundle = bundleId() ? bundleManifest(dir) : undefined;
  if (bundle?.id === bundleId() && bundle?.git?.head === head) {
    return { commit, dirty: bundle.git.dirty };
  }
  try {
    // Synchronous: the asynchronous spawn sets up pipes and streams, ≈ 4 ms more CPU.
    const diff = new Deno.Command("git", {
      args: ["-C", dir, "diff", "--quiet", "HEAD", "--", ...PROGRAM_SOURCES],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).outputSync();
    return diff.code > 1 ? { commit } : { commit, dirty: diff.code === 1 };
  } catch {
    return { commit }; // no git on PATH
  }
}

/** Gather the version facts (spawns git only when running from source). */
export async function versionInfo(): Promise<VersionInfo> {
  const compiled = isCompiled();
  const found = BUILD_COMMIT
    ? { commit: BUILD_COMMIT }
    : compiled
    ? await embeddedCommit()
    : gitCommit();
  return {
    version: VERSION,
    ...found,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
    compiled,
    target: Deno.build.target,
  };
}

/** The `s9s --version` text: the version on the first line, then one fact per line. */
export function formatVersion(v: VersionInfo): string {
  const commit = v.commit
    ? `${v.commit}${v.dirty ? " (with uncommitted changes)" : ""}`
    : "unknown";
  return [
    `s9s ${v.version}`,
    `commit:     ${commit}`,
    `deno:       ${v.deno}`,
    `v8:         ${v.v8}`,
    `typescript: ${v.typescript}`,
    `build:      ${v.compiled ? "compiled binary" : "from source"} (${v.target})`,
    "",
  ].join("\n");
}
