/**
 * The host-based-only SSH test node (scripts/ssh_hostbased.sh, started by `deno task test` as
 * root) as the openssh tests use it: a scratch home, s9s run with the node's ssh first on PATH.
 * @module
 */
import { runS9s, S9sProcess, testEnv } from "./cli.ts";
import { tempHome } from "./temp_dir.ts";

/** An environment variable, or "". */
export const env = (k: string): string => Deno.env.get(k) ?? "";
/** The node's directory (sshd config, known_hosts, ssh_config, bin/ssh). */
export const HB = env("S9S_TEST_HB_DIR");
/** Its sshd's port on 127.0.0.1. */
export const PORT = env("S9S_TEST_HB_PORT");
/** A directory whose `ssh` is the system ssh reading the node's ssh_config. */
export const BIN = env("S9S_TEST_HB_BIN");
/** Root, with the host-based node and the key-based loopback node running. */
export const enabled = Deno.uid() === 0 && env("S9S_TEST_HB") === "1" &&
  env("S9S_TEST_SSH") === "1";
/** PATH with the test's ssh first. */
export const PATH = `${BIN}:${env("PATH")}`;

/** A scratch home and the directory around it. */
export interface Scratch {
  home: string;
  dir: string;
  cfg: string;
}

/** A private S9S_HOME with a config file (history off) and a scratch dir the node user can read. */
export async function scratch(extra: string[] = []): Promise<Scratch> {
  const { dir, home } = await tempHome("s9s-openssh-");
  await Deno.chmod(dir, 0o755); // the node's user (s9shb) reads the files beside the home
  const cfg = `${home}/config.yaml`;
  await Deno.writeTextFile(
    cfg,
    ["streaming:", "  persistence:", "    enabled: false", ...extra, ""].join("\n"),
  );
  return { home, dir, cfg };
}

/** `s9s --config CFG --ssh-transport T stream --no-follow --source ssh --node NODE --path FILE`. */
export function readOnNode(s: Scratch, transport: string, node: string, file: string) {
  return runS9s([
    "--config",
    s.cfg,
    "--ssh-transport",
    transport,
    "stream",
    "--no-follow",
    "--source",
    "ssh",
    "--node",
    node,
    "--path",
    file,
  ], { env: testEnv(s.home, { PATH }) });
}

/** Follow `files` on hbnode with openssh: JSON events, statuses included. */
export function followOnNode(s: Scratch, files: string[]): S9sProcess {
  return new S9sProcess([
    "--config",
    s.cfg,
    "--ssh-transport",
    "openssh",
    "stream",
    "--source",
    "ssh",
    "--node",
    "hbnode",
    "-o",
    "json",
    "--events",
    ...files.flatMap((f) => ["--path", f]),
  ], { env: testEnv(s.home, { PATH }) });
}

/** `"TAG FROM"` … `"TAG TO"`. */
export const lines = (from: number, to: number, tag: string): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `${tag} ${from + i}`);
