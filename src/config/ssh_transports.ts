/**
 * The values of `streaming.ssh.transport` and `--ssh-transport` (no dependencies: the fast option
 * parser reads them).
 * @module
 */

/** auto: the system ssh when one is on PATH, else the built-in client. */
export const SSH_TRANSPORTS = ["auto", "openssh", "builtin"] as const;
/** How s9s reaches a node. */
export type SshTransport = typeof SSH_TRANSPORTS[number];
