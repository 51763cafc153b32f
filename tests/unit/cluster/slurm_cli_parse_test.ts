import { deepStrictEqual } from "node:assert";
import { SlurmCliBackend } from "../../../src/cluster/slurm_cli.ts";
import { runSlurmCommand } from "../../../src/cluster/slurm_command.ts";
import { fakeRunner } from "./_fake_runner.ts";
import { jobsFromSlurmJson } from "../../../src/cluster/slurm_json.ts";
import {
  configValue,
  parseExitCode,
  parseKeyValues,
  parseSacct,
  parseScontrolJobs,
  parseSqueueText,
  slurmTime,
} from "../../../src/cluster/slurm_text.ts";
import { UsageError, UserFacingError } from "../../../src/errors.ts";
import { assert, assertRejects } from "../../_helpers/assert.ts";

const fixture = (name: string) =>
  Deno.readTextFileSync(new URL(`../../../fixtures/slurm/${name}`, import.meta.url));

/** Local time, as scontrol prints it. */
const at = (s: string) => new Date(s).getTime();

function pick<T extends object>(o: T, keys: (keyof T)[]): Partial<T> {
  return Object.fromEntries(
    keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]),
  ) as Partial<T>;
}

Deno.test("parseKeyValues keeps spaces inside names and paths", () => {
  const rec = parseKeyValues(
    "JobId=17 JobName=fail job UserId=root(0) Command=/bin/run a=b WorkDir=/tmp/s9s fx " +
      "StdErr=/tmp/s9s fx/fail job-17.out StdIn=/dev/null StdOut=/tmp/x y=z.out Power= ",
  );
  deepStrictEqual(rec.get("JobName"), "fail job");
  deepStrictEqual(rec.get("Command"), "/bin/run a=b");
  deepStrictEqual(rec.get("WorkDir"), "/tmp/s9s fx");
  deepStrictEqual(rec.get("StdErr"), "/tmp/s9s fx/fail job-17.out");
  deepStrictEqual(rec.get("StdOut"), "/tmp/x y=z.out");
  deepStrictEqual(rec.get("Power"), "");
});

Deno.test("parseScontrolJobs reads one-line output with spaces, array tasks and the pending rest", () => {
  const jobs = parseScontrolJobs(fixture("scontrol-show-job-oneline.txt"));
  deepStrictEqual(jobs.map((j) => j.id), ["17", "18_[3-5%2]", "18_2", "18_1", "19", "20"]);
  const [failed, rest, task2] = jobs;
  deepStrictEqual(
    pick(failed, [
      "name",
      "state",
      "reason",
      "exitCode",
      "exitSignal",
      "workDir",
      "stdout",
      "stderr",
    ]),
    {
      name: "fail job",
      state: "FAILED",
      reason: "NonZeroExitCode",
      exitCode: 3,
      workDir: "/tmp/s9s fx",
      stdout: "/tmp/s9s fx/fail job-17.out",
      stderr: "/tmp/s9s fx/fail job-17.out",
    },
  );
  deepStrictEqual(failed.endTime, at("2026-11-29T15:29:48"));
  deepStrictEqual(
    pick(rest, ["jobId", "arrayJobId", "arrayTaskId", "arrayTaskString", "state", "reason"]),
    {
      jobId: 18,
      arrayJobId: 18,
      arrayTaskString: "3-5%2",
      state: "PENDING",
      reason: "JobArrayTaskLimit",
    },
  );
  deepStrictEqual(rest.startTime, undefined);
  deepStrictEqual(rest.batchHost, undefined);
  deepStrictEqual(
    pick(task2, [
      "jobId",
      "arrayJobId",
      "arrayTaskId",
      "state",
      "batchHost",
      "nodeList",
      "stdout",
      "stderr",
    ]),
    {
      jobId: 22,
      arrayJobId: 18,
      arrayTaskId: 2,
      state: "RUNNING",
      batchHost: "vm",
      nodeList: "vm",
      stdout: "/tmp/s9s fx/arr-18_2.out",
      stderr: "/tmp/s9s fx/arr-18_2.err",
    },
  );
  deepStrictEqual(task2.exitCode, undefined, "no exit code while running");
  deepStrictEqual(task2.endTime, undefined, "a running job's EndTime is its time limit");
  deepStrictEqual(jobs[5].stdout, "/tmp/s9s fx/rel-20-%N.out");
});

Deno.test("parseScontrolJobs reads the multi-line form of an array job", () => {
  const jobs = parseScontrolJobs(fixture("scontrol-show-job-13.txt"));
  deepStrictEqual(jobs.map((j) => [j.id, j.jobId, j.arrayTaskId]), [["13_3", 13, 3], [
    "13_2",
    16,
    2,
  ], [
    "13_1",
    15,
    1,
  ]]);
  const t = jobs[1];
  deepStrictEqual(
    pick(t, [
      "name",
      "user",
      "state",
      "workDir",
      "stdout",
      "batchHost",
      "partition",
      "restarts",
      "backend",
    ]),
    {
      name: "s9s-arr",
      user: "root",
      state: "RUNNING",
      workDir: "/tmp",
      stdout: "/tmp/s9s-arr-13_2.out",
      batchHost: "vm",
      partition: "debug",
      restarts: 0,
      backend: "cli",
    },
  );
  deepStrictEqual(t.reason, undefined, "Reason=None is no reason");
  deepStrictEqual(t.submitTime, at("2026-11-29T15:14:54"));
  deepStrictEqual(t.startTime, at("2026-11-29T15:14:55"));
});

Deno.test("parseScontrolJobs maps held, cancelled, failed and %N-pattern jobs", () => {
  const [held] = parseScontrolJobs(fixture("scontrol-show-job-12.txt"));
  deepStrictEqual(pick(held, ["id", "state", "reason", "nodeList", "batchHost", "startTime"]), {
    id: "12",
    state: "PENDING",
    reason: "JobHeldUser",
  });
  const [cancelled] = parseScontrolJobs(fixture("scontrol-show-job-cancelled.txt"));
  deepStrictEqual(pick(cancelled, ["state", "exitCode", "exitSignal"]), {
    state: "CANCELLED",
    exitCode: 0,
    exitSignal: 15,
  });
  const [failed] = parseScontrolJobs(fixture("scontrol-show-job-10.txt"));
  deepStrictEqual(pick(failed, ["state", "exitCode", "exitSignal"]), {
    state: "FAILED",
    exitCode: 3,
  });
  const [run] = parseScontrolJobs(fixture("scontrol-show-job-11.txt"));
  deepStrictEqual(pick(run, ["workDir", "stdout", "stderr"]), {
    workDir: "/tmp/s9s-wd",
    stdout: "/tmp/s9s-wd/s9s-run-11-root-%N.out",
    stderr: "/tmp/s9s-wd/s9s-run-11.err",
  });
  const [pendingArray] = parseScontrolJobs(fixture("scontrol-show-job-pending-array-held.txt"));
  deepStrictEqual(pick(pendingArray, ["id", "jobId", "arrayJobId", "arrayTaskString", "reason"]), {
    id: "8_[1-5%2]",
    jobId: 8,
    arrayJobId: 8,
    arrayTaskString: "1-5%2",
    reason: "JobHeldUser",
  });
});

Deno.test("parseExitCode and slurmTime handle Slurm's spellings", () => {
  deepStrictEqual(parseExitCode("3:0"), { exitCode: 3, exitSignal: undefined });
  deepStrictEqual(parseExitCode("0:9"), { exitCode: 0, exitSignal: 9 });
  deepStrictEqual(parseExitCode("garbage"), {});
  deepStrictEqual(slurmTime("Unknown"), undefined);
  deepStrictEqual(slurmTime("None"), undefined);
  deepStrictEqual(slurmTime("N/A"), undefined);
  deepStrictEqual(slurmTime("2026-11-29T15:14:54"), at("2026-11-29T15:14:54"));
  deepStrictEqual(
    configValue(
      "AccountingStorageType   = accounting_storage/slurmdbd\nX = 1",
      "AccountingStorageType",
    ),
    "accounting_storage/slurmdbd",
  );
});

Deno.test("parseSacct maps tasks, pending ranges and names with a pipe", () => {
  const jobs = parseSacct(fixture("sacct.txt"));
  deepStrictEqual(jobs.map((j) => j.id), ["500", "501", "502_1", "502_2", "502_[3-4]"]);
  deepStrictEqual(pick(jobs[1], ["name", "state", "exitCode", "exitSignal"]), {
    name: "long|piped name",
    state: "CANCELLED",
    exitCode: 0,
    exitSignal: 15,
  });
  deepStrictEqual(
    pick(jobs[2], ["jobId", "arrayJobId", "arrayTaskId", "exitCode", "workDir", "nodeList"]),
    {
      jobId: 503,
      arrayJobId: 502,
      arrayTaskId: 1,
      exitCode: 3,
      workDir: "/home/alice/sweep",
      nodeList: "node03",
    },
  );
  deepStrictEqual(jobs[3].nodeList, undefined, "None assigned");
  deepStrictEqual(jobs[3].startTime, undefined);
  deepStrictEqual(jobs[4].arrayTaskString, "3-4");
});

Deno.test("parseSqueueText reads the separator-delimited fallback format", () => {
  const jobs = parseSqueueText(fixture("squeue-text.txt"));
  const byId = new Map(jobs.map((j) => [j.id, j]));
  assert(
    byId.has("18_[3-5%2]") && byId.has("18_1") && byId.has("17"),
    JSON.stringify([...byId.keys()]),
  );
  deepStrictEqual(
    pick(byId.get("18_1")!, ["jobId", "arrayJobId", "arrayTaskId", "workDir", "batchHost", "name"]),
    {
      jobId: 21,
      arrayJobId: 18,
      arrayTaskId: 1,
      workDir: "/tmp/s9s fx",
      batchHost: "vm",
      name: "arr",
    },
  );
  deepStrictEqual(byId.get("17")!.name, "fail job");
  deepStrictEqual(byId.get("17")!.arrayJobId, undefined);
  deepStrictEqual(byId.get("19")!.batchHost, undefined, "n/a");
});

Deno.test("squeue --json output maps like slurmrestd's", () => {
  const jobs = jobsFromSlurmJson(JSON.parse(fixture("squeue.json")), "cli");
  deepStrictEqual(jobs.map((j) => j.id), ["10", "11", "12", "13_1", "14", "13_2", "13_3"]);
  deepStrictEqual(pick(jobs[0], ["state", "exitCode", "stdout"]), {
    state: "FAILED",
    exitCode: 3,
    stdout: "/tmp/s9s-fail-%j.out",
  });
  deepStrictEqual(jobs[4].user, "s9stest");
});

// ---- the backend's decisions, with the commands replaced by canned answers ----

Deno.test("SlurmCliBackend returns [] for an unknown job when accounting is off", async () => {
  const f = fakeRunner({
    "scontrol show job": { code: 1, stderr: "slurm_load_jobs error: Invalid job id specified\n" },
    "scontrol show config": { stdout: "AccountingStorageType   = accounting_storage/none\n" },
  });
  const b = new SlurmCliBackend({ run: f.run });
  deepStrictEqual(await b.getJob("999"), []);
  deepStrictEqual(await b.getJob("998"), []);
  deepStrictEqual(
    f.calls.filter((c) => c.startsWith("scontrol show config")).length,
    1,
    "config is asked once",
  );
  assert(!f.calls.some((c) => c.startsWith("sacct")));
});

Deno.test("SlurmCliBackend asks sacct about forgotten jobs when accounting is on", async () => {
  const f = fakeRunner({
    "scontrol show job": { code: 1, stderr: "slurm_load_jobs error: Invalid job id specified\n" },
    "scontrol show config": { stdout: "AccountingStorageType   = accounting_storage/slurmdbd\n" },
    "sacct": { stdout: fixture("sacct.txt") },
  });
  const jobs = await new SlurmCliBackend({ run: f.run }).getJob("502");
  deepStrictEqual(jobs.map((j) => j.id), ["502_1", "502_2", "502_[3-4]"]);
  assert(
    f.calls.some((c) => c.startsWith("sacct -j 502 -X -P -n -o JobID,JobIDRaw,")),
    f.calls.join("\n"),
  );
});

Deno.test("SlurmCliBackend reports a failing scontrol with its first stderr line", async () => {
  const f = fakeRunner({
    "scontrol show job": {
      code: 1,
      stderr: "slurm_load_jobs error: Unable to contact slurm controller (connect failure)\nmore\n",
    },
  });
  const err = await assertRejects(
    () => new SlurmCliBackend({ run: f.run }).getJob("5"),
    /Unable to contact slurm controller/,
  );
  assert(err instanceof UserFacingError);
  assert(/scontrol ping/.test(err.hint ?? ""), err.hint);
});

Deno.test("SlurmCliBackend falls back to squeue -o once squeue --json is refused", async () => {
  const f = fakeRunner({
    "squeue --json": { code: 1, stderr: "squeue: unrecognized option '--json'\n" },
    "squeue -h": { stdout: fixture("squeue-text.txt") },
  });
  const b = new SlurmCliBackend({ run: f.run });
  const first = await b.listJobs({ states: ["failed"] });
  deepStrictEqual(first.map((j) => j.id), ["17"]);
  await b.listJobs();
  deepStrictEqual(
    f.calls.filter((c) => c.startsWith("squeue --json")).length,
    1,
    "JSON is not retried",
  );
});

Deno.test("SlurmCliBackend.getJobs uses one squeue call and narrows pending array tasks", async () => {
  const f = fakeRunner({ "squeue --json": { stdout: fixture("squeue.json") } });
  const b = new SlurmCliBackend({ run: f.run, accounting: false });
  const got = await b.getJobs(["10", "13", "16", "999"]);
  deepStrictEqual(f.calls.length, 1);
  deepStrictEqual(got.get("10")!.map((j) => j.id), ["10"]);
  deepStrictEqual(got.get("13")!.map((j) => j.id), ["13_1", "13_2", "13_3"]);
  deepStrictEqual(got.get("16")!.map((j) => j.id), ["13_2"], "a task's own job id");
  deepStrictEqual(got.get("999"), []);
  const pending = {
    jobs: [{
      job_id: 8,
      array_job_id: 8,
      array_task_id: null,
      array_task_string: "1-5%2",
      job_state: "PENDING",
    }],
  };
  const g = fakeRunner({ "squeue --json": { stdout: JSON.stringify(pending) } });
  const got2 = await new SlurmCliBackend({ run: g.run, accounting: false }).getJobs(["8_4", "8_7"]);
  deepStrictEqual(got2.get("8_4")!.map((j) => [j.id, j.arrayTaskId, j.arrayTaskString]), [[
    "8_4",
    4,
    undefined,
  ]]);
  deepStrictEqual(got2.get("8_7"), []);
});

Deno.test("SlurmCliBackend rejects a malformed job id as a usage error", async () => {
  const f = fakeRunner({});
  await assertRejects(
    () => new SlurmCliBackend({ run: f.run }).getJob("12;rm"),
    /invalid job id "12;rm"/,
  );
  const err = await assertRejects(() => new SlurmCliBackend({ run: f.run }).getJob("abc"));
  assert(err instanceof UsageError);
  deepStrictEqual(f.calls, []);
});

Deno.test("runSlurmCommand names a missing command and suggests what to do", async () => {
  const err = await assertRejects(
    () => runSlurmCommand("s9s-no-such-squeue", ["--json"]),
    /"s9s-no-such-squeue" not found/,
  );
  assert(err instanceof UserFacingError);
  assert(/--mock|slurm_api/.test(err.hint ?? ""), err.hint);
});

Deno.test("runSlurmCommand kills a command that outlives its deadline", async () => {
  const t0 = Date.now();
  await assertRejects(
    () => runSlurmCommand("sleep", ["5"], { timeout: 200 }),
    /did not answer within 0.2 s/,
  );
  assert(Date.now() - t0 < 3000);
});
