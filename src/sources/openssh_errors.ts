/**
 * What the system ssh said, as one clear error: the last line of its stderr names the cause
 * (`Permission denied (hostbased).`, `Could not resolve hostname …`, `Host key verification
 * failed.`, a timeout); the hint says what to try, naming the built-in transport where it helps.
 * @module
 */
import { UserFacingError } from "../errors.ts";
import { SshUnreachableError } from "./ssh_unreachable_error.ts";

/** Options for {@link sshFailure}. */
export interface SshFailureOptions {
  /** streaming.ssh.timeout, in ms. */
  timeoutMs?: number;
  /** The master connection was lost (not a failed first login). */
  lost?: boolean;
}

/**
 * The error for a failed ssh run. Login refusals, unknown hosts and host key problems are
 * final UserFacingErrors (retrying cannot help); what may pass (timeouts, refused connections) is
 * an SshUnreachableError and a lost master a plain Error, both of which the SSH source retries.
 */
export function sshFailure(host: string, stderr: string, opts: SshFailureOptions = {}): Error {
  const lines = stderr.split("\n").map((l) => l.trim()).filter((l) => l && !/^Warning:/.test(l));
  const last = (lines.at(-1) ?? "").replace(/\.$/, "").replace(/^ssh: /, "");
  const test = `test it with \`ssh -o BatchMode=yes ${host} true\``;
  let m: RegExpExecArray | null;
  if ((m = /Permission denied \(([^)]*)\)/.exec(stderr))) {
    return new UserFacingError(`ssh to "${host}" failed: Permission denied (${m[1]})`, {
      hint:
        `${test}: s9s runs ssh with BatchMode=yes, so a login that asks for a password or passphrase fails (use a key in ssh-agent, host-based or Kerberos login); --ssh-transport builtin uses streaming.ssh.key_file`,
    });
  }
  if (/Could not resolve hostname|Name or service not known|nodename nor servname/i.test(stderr)) {
    return new UserFacingError(`unknown host "${host}": ${last}`, {
      hint: `check the node name, or add a Host entry for it to ~/.ssh/config; ${test}`,
    });
  }
  if (
    /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No .* host key is known/i
      .test(stderr)
  ) {
    return new UserFacingError(`ssh to "${host}" failed: host key verification failed`, {
      hint:
        `run \`ssh ${host} true\` once to see and accept the node's host key (s9s never turns host key checking off)`,
    });
  }
  const timedOut = /timed out/i.test(stderr);
  const why = timedOut
    ? `no answer within ${(opts.timeoutMs ?? 0) / 1000}s (streaming.ssh.timeout)`
    : last || "ssh ended without saying why";
  if (opts.lost) return new Error(`lost the master connection to ${host}: ${why}`);
  // A refused connection is a definite "no" (the SSH source says it at once, as for ssh2's
  // ECONNREFUSED); a timeout may pass and is retried.
  const refused = /Connection refused/i.test(stderr);
  return new SshUnreachableError(`cannot connect to "${host}" over SSH: ${why}`, {
    hint: `${test}; --ssh-transport builtin connects without the system ssh`,
    cause: refused ? Object.assign(new Error(last), { code: "ECONNREFUSED" }) : undefined,
  });
}
