/**
 * Home directory and `~` expansion.
 * @module
 */
import { join } from "./posix_path.ts";

/** The user's home directory (HOME, else /tmp as a last resort). */
export function homeDir(): string {
  return Deno.env.get("HOME") || "/tmp";
}

/**
 * Expand a leading `~` or `~/` to the home directory. `~/.s9s` and what is under it follow
 * `$S9S_HOME` when set, so a private state directory takes everything along; this is the one
 * place that remapping is written.
 */
export function expandHome(path: string): string {
  if (path === "~/.s9s" || path.startsWith("~/.s9s/")) return s9sDir() + path.slice(6);
  if (path === "~") return homeDir();
  if (path.startsWith("~/")) return homeDir() + path.slice(1);
  return path;
}

/** The s9s state directory, `~/.s9s` (or `$S9S_HOME`). */
export function s9sDir(): string {
  return Deno.env.get("S9S_HOME") || join(homeDir(), ".s9s");
}
