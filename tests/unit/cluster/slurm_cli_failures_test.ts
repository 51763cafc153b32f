/**
 * SlurmCliBackend never takes a failure for an answer: a failing `sacct` is "accounting
 * unavailable" (with sacct's reason), not "no such job", and one odd reply does not switch
 * accounting or `squeue --json` off for the rest of the run. sacct's answers are recorded from
 * the real commands (fixtures/slurm/sacct-*.stderr.txt).
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert";
import {
  accountingReason,
  AccountingUnavailableError,
} from "../../../src/cluster/accounting_unavailable_error.ts";
import { SlurmCliBackend, SQUEUE_JSON_RETRY_MS } from "../../../src/cluster/slurm_cli.ts";
import { UserFacingError } from "../../../src/errors.ts";
import { assertRejects } from "../../_helpers/assert.ts";
import { fakeRunner } from "./_fake_runner.ts";

const fixture = (name: string) =>
  Deno.readTextFileSync(new URL(`../../../fixtures/slurm/${name}`, import.meta.url));

const UNKNOWN = { code: 1, stderr: "slurm_load_jobs error: Invalid job id specified\n" };
const DBD = { stdout: "AccountingStorageType   = accounting_storage/slurmdbd\n" };
const count = (calls: string[], prefix: string) => calls.filter((c) => c.startsWith(prefix)).length;

Deno.test("accountingReason picks sacct's telling line", () => {
  deepStrictEqual(
    accountingReason(fixture("sacct-slurmdbd-down.stderr.txt"), "", 1),
    "Problem talking to the database: Connection refused",
  );
  deepStrictEqual(
    accountingReason(fixture("sacct-storage-disabled.stderr.txt"), "", 1),
    "Slurm accounting storage is disabled",
  );
  deepStrictEqual(accountingReason("", "", 3), "exit code 3");
});

Deno.test("SlurmCliBackend reports accounting unavailable when slurmdbd is down", async () => {
  const f = fakeRunner({
    "scontrol show job": UNKNOWN,
    "scontrol show config": DBD,
    "sacct": { code: 1, stderr: fixture("sacct-slurmdbd-down.stderr.txt") },
  });
  const err = await assertRejects(() => new SlurmCliBackend({ run: f.run }).getJob("502"));
  ok(err instanceof AccountingUnavailableError, String(err));
  strictEqual(
    err.message,
    'job "502" is not known to slurmctld and accounting is unavailable: ' +
      "Problem talking to the database: Connection refused",
  );
  strictEqual(err.jobId, "502");
  ok(/sacctmgr ping/.test(err.hint ?? ""), err.hint);
  ok(!/purged|not found/i.test(err.message));
});

Deno.test("SlurmCliBackend answers [] only when sacct itself says the job is unknown", async () => {
  const f = fakeRunner({ "scontrol show job": UNKNOWN, "scontrol show config": DBD, "sacct": {} });
  deepStrictEqual(await new SlurmCliBackend({ run: f.run }).getJob("502"), []);
  strictEqual(count(f.calls, "sacct -j 502"), 1);
});

Deno.test("SlurmCliBackend reports accounting unavailable when sacct cannot be run", async () => {
  const f = fakeRunner({
    "scontrol show job": UNKNOWN,
    "sacct": { throws: new UserFacingError('"sacct" not found') },
  });
  const err = await assertRejects(
    () => new SlurmCliBackend({ run: f.run, accounting: true }).getJob("7"),
    /accounting is unavailable: "sacct" not found/,
  );
  ok(err instanceof AccountingUnavailableError);
});

Deno.test("SlurmCliBackend asks again whether accounting is on after a failed check", async () => {
  let configCalls = 0;
  const f = fakeRunner({
    "scontrol show job": UNKNOWN,
    "scontrol show config": () =>
      ++configCalls === 1
        ? { code: 1, stderr: "slurm_load_ctl_conf error: Socket timed out on send/recv\n" }
        : { stdout: "AccountingStorageType   = accounting_storage/none\n" },
  });
  const b = new SlurmCliBackend({ run: f.run });
  const err = await assertRejects(() => b.getJob("5"), /Socket timed out/);
  ok(err instanceof AccountingUnavailableError);
  deepStrictEqual(await b.getJob("5"), [], "the second lookup reads the config again");
  deepStrictEqual(await b.getJob("6"), []);
  strictEqual(count(f.calls, "scontrol show config"), 2, "a definite answer is kept");
  strictEqual(count(f.calls, "sacct"), 0);
});

Deno.test("SlurmCliBackend keeps squeue --json after a failure that is not 'unsupported'", async () => {
  let jsonCalls = 0;
  const f = fakeRunner({
    "squeue --json": () =>
      ++jsonCalls === 1
        ? { code: 1, stderr: "squeue: error: slurm_load_jobs error: Socket timed out\n" }
        : { stdout: fixture("squeue.json") },
    "squeue -h": { stdout: fixture("squeue-text.txt") },
  });
  const b = new SlurmCliBackend({ run: f.run, accounting: false });
  const first = await b.listJobs();
  ok(first.some((j) => j.id === "18_1"), "this time from the text fallback");
  const second = await b.listJobs();
  ok(second.some((j) => j.id === "13_1"), "next time from squeue --json again");
  strictEqual(count(f.calls, "squeue --json"), 2);
  strictEqual(count(f.calls, "squeue -h"), 1);
});

Deno.test("SlurmCliBackend retries squeue --json after an unreadable reply, later", async () => {
  let now = 1_000_000;
  let jsonCalls = 0;
  const f = fakeRunner({
    "squeue --json": () =>
      ++jsonCalls === 1 ? { stdout: '{"jobs": [' } : { stdout: fixture("squeue.json") },
    "squeue -h": { stdout: fixture("squeue-text.txt") },
  });
  const b = new SlurmCliBackend({ run: f.run, accounting: false, now: () => now });
  await b.listJobs();
  await b.listJobs();
  strictEqual(count(f.calls, "squeue --json"), 1, "off for a while");
  strictEqual(count(f.calls, "squeue -h"), 2);
  now += SQUEUE_JSON_RETRY_MS;
  const jobs = await b.listJobs();
  strictEqual(count(f.calls, "squeue --json"), 2, "tried again after the delay");
  ok(jobs.some((j) => j.id === "13_1"));
});

Deno.test("SlurmCliBackend turns squeue --json off for the run when the plugin is missing", async () => {
  const f = fakeRunner({
    "squeue --json": {
      code: 1,
      stderr: "squeue: error: Unable to find plugin: serializer/json\n" +
        "squeue: error: cannot create serializer context\n",
    },
    "squeue -h": { stdout: fixture("squeue-text.txt") },
  });
  let now = 0;
  const b = new SlurmCliBackend({ run: f.run, accounting: false, now: () => now });
  await b.listJobs();
  now += 10 * SQUEUE_JSON_RETRY_MS;
  await b.listJobs();
  strictEqual(count(f.calls, "squeue --json"), 1);
});
