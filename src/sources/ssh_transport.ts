/**
 * Which SSH transport reaches the nodes (`streaming.ssh.transport`, `--ssh-transport`): openssh
 * (the system `ssh`, one master connection per node), builtin (ssh2, in-process), or auto, which
 * takes openssh when an `ssh` client is on PATH and builtin otherwise. The one place that decides;
 * the SSH sources only see the {@link RemoteShell} it opens.
 * @module
 */
import type { StreamingConfig } from "../config/schema.ts";
import type { SshTransport } from "../config/ssh_transports.ts";
import { UserFacingError } from "../errors.ts";
import { which } from "../platform/which.ts";
import type { RemoteShell } from "./remote_shell.ts";

/** The transport chosen, and why (for --debug and --explain). */
export interface TransportChoice {
  transport: "openssh" | "builtin";
  /** The ssh client found on PATH (openssh). */
  ssh?: string;
  why: string;
}

/** Decide the transport for `setting`; `path` is searched for `ssh` (PATH by default). */
export async function chooseTransport(
  setting: SshTransport,
  path = Deno.env.get("PATH") ?? "",
): Promise<TransportChoice> {
  if (setting === "builtin") {
    return {
      transport: "builtin",
      why: "builtin, as streaming.ssh.transport or --ssh-transport ask",
    };
  }
  const ssh = await which("ssh", path);
  if (setting === "openssh") {
    if (!ssh) {
      throw new UserFacingError("--ssh-transport openssh: no ssh client was found on PATH", {
        hint: "install OpenSSH's client (openssh-client), or use --ssh-transport builtin",
      });
    }
    return { transport: "openssh", ssh, why: `openssh (${ssh}), as asked` };
  }
  return ssh
    ? { transport: "openssh", ssh, why: `auto chose openssh: ${ssh} is on PATH` }
    : { transport: "builtin", why: "auto chose builtin: no ssh client on PATH" };
}

/** Open the pool of node connections for the chosen transport (each loaded only when used). */
export async function openRemoteShell(
  cfg: StreamingConfig["ssh"],
  choice: TransportChoice,
  debug: (m: string) => void = () => {},
): Promise<RemoteShell> {
  if (choice.transport === "openssh") {
    const { OpenSshPool } = await import("./openssh_pool.ts");
    return new OpenSshPool(cfg, debug, choice.ssh);
  }
  const { SshPool } = await import("./ssh_pool.ts");
  return new SshPool(cfg, debug);
}
