/**
 * Case 5, SSH: 20 streams from one node over loopback sshd. s9s has no SSH source yet, so this
 * prints a row saying so rather than a made-up figure.
 * @module
 */
import type { BenchRow } from "./_common.ts";

/** Run the case. */
export function run(): Promise<BenchRow[]> {
  let exists = false;
  try {
    exists = Deno.statSync(new URL("../../src/sources/ssh.ts", import.meta.url)).isFile;
  } catch { /* not there */ }
  return Promise.resolve([{
    case: "ssh 20 streams",
    metric: "connections, MB/s, CPU vs ssh node tail -F",
    s9s: exists ? "not measured" : "not implemented",
    reference: "",
    unit: "",
    note: exists
      ? "the SSH source landed after this suite; its bench case (loopback sshd, 20 streams) is not written yet"
      : "s9s has no SSH source yet (targets: one connection, ≥ 50 MB/s)",
  }]);
}
