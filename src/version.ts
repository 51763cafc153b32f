/**
 * The s9s version and the build facts `s9s --version` reports. Imports nothing, so the
 * `--version` fast path in main.ts stays a few milliseconds.
 * @module
 */

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
    const text = await Deno.readTextFile(new URL("./build_commit.txt", import.meta.url));
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

/** The commit of a source checkout: `git rev-parse` in the directory of this module. */
async function gitCommit(): Promise<{ commit?: string; dirty?: boolean }> {
  const here = new URL(".", import.meta.url);
  if (here.protocol !== "file:") return {};
  const git = (args: string[]) =>
    new Deno.Command("git", {
      args: ["-C", decodeURIComponent(here.pathname), ...args],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
  try {
    const [head, diff] = await Promise.all([
      git(["rev-parse", "--short=12", "HEAD"]),
      git(["diff", "--quiet", "HEAD", "--"]),
    ]);
    if (!head.success) return {};
    return { commit: new TextDecoder().decode(head.stdout).trim(), dirty: diff.code === 1 };
  } catch {
    return {}; // no git on PATH
  }
}

/** Gather the version facts (spawns git only when running from source). */
export async function versionInfo(): Promise<VersionInfo> {
  const compiled = isCompiled();
  const found = BUILD_COMMIT
    ? { commit: BUILD_COMMIT }
    : compiled
    ? await embeddedCommit()
    : await gitCommit();
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
