/**
 * Accounting against the real Slurm started by scripts/slurm_cluster.sh. Its slurmctld runs
 * without accounting and no slurmdbd runs, so the real `sacct` fails: for a job slurmctld does
 * not know, that must read "accounting unavailable" with sacct's reason, never "not found".
 * Skipped unless S9S_TEST_SLURM=1.
 */
import { ok, strictEqual } from "node:assert";
import { join } from "node:path";
import { AccountingUnavailableError } from "../../src/cluster/accounting_unavailable_error.ts";
import { SlurmCliBackend } from "../../src/cluster/slurm_cli.ts";
import { configValue } from "../../src/cluster/slurm_text.ts";
import { runSlurmCommand } from "../../src/cluster/slurm_command.ts";
import { assertRejects } from "../_helpers/assert.ts";

const ENABLED = Deno.env.get("S9S_TEST_SLURM") === "1";

/** A job id the test cluster has never given out. */
const NO_SUCH_JOB = "987654";

Deno.test({
  name: "SlurmCliBackend on real Slurm: no accounting configured means a plain not-found",
  ignore: !ENABLED,
  async fn() {
    const show = await runSlurmCommand("scontrol", ["show", "config"]);
    strictEqual(configValue(show.stdout, "AccountingStorageType"), "accounting_storage/none");
    const b = new SlurmCliBackend();
    strictEqual((await b.getJob(NO_SUCH_JOB)).length, 0);
  },
});

Deno.test({
  name: "SlurmCliBackend on real Slurm: a failing sacct is reported as accounting unavailable",
  ignore: !ENABLED,
  async fn() {
    const err = await assertRejects(
      () => new SlurmCliBackend({ accounting: true }).getJob(NO_SUCH_JOB),
    );
    ok(err instanceof AccountingUnavailableError, String(err));
    strictEqual(err.jobId, NO_SUCH_JOB);
    strictEqual(err.reason, "Slurm accounting storage is disabled");
    ok(err.message.startsWith(`job "${NO_SUCH_JOB}" is not known to slurmctld and accounting`));
  },
});

Deno.test({
  name: "SlurmCliBackend on real Slurm: slurmdbd down is reported as accounting unavailable",
  ignore: !ENABLED,
  async fn() {
    // The cluster's own slurm.conf, with accounting pointed at a slurmdbd that does not run; only
    // this process's client commands read the copy, slurmctld is untouched.
    const show = await runSlurmCommand("scontrol", ["show", "config"]);
    const confPath = configValue(show.stdout, "SLURM_CONF") ?? "/etc/slurm/slurm.conf";
    const conf = (await Deno.readTextFile(confPath)).replace(
      /^AccountingStorageType=.*$/m,
      "AccountingStorageType=accounting_storage/slurmdbd",
    );
    const dir = await Deno.makeTempDir({ prefix: "s9s-acct-" });
    const saved = Deno.env.get("SLURM_CONF");
    try {
      await Deno.writeTextFile(join(dir, "slurm.conf"), conf);
      Deno.env.set("SLURM_CONF", join(dir, "slurm.conf"));
      const err = await assertRejects(
        () => new SlurmCliBackend({ accounting: true }).getJob(NO_SUCH_JOB),
      );
      ok(err instanceof AccountingUnavailableError, String(err));
      ok(/Problem talking to the database|Connection refused/.test(err.reason), err.reason);
      ok(!/purged|was not found/.test(err.message), err.message);
    } finally {
      if (saved === undefined) Deno.env.delete("SLURM_CONF");
      else Deno.env.set("SLURM_CONF", saved);
      await Deno.remove(dir, { recursive: true });
    }
  },
});
