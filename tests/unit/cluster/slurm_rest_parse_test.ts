import { deepStrictEqual } from "node:assert";
import type { JobInfo } from "../../../src/cluster/job.ts";
import {
  isInvalidJobId,
  jobsFromSlurmJson,
  selectJobs,
  slurmErrors,
  slurmExit,
  slurmNumber,
  slurmState,
  sortTasks,
  taskInRange,
} from "../../../src/cluster/slurm_json.ts";
import { normalizeVersion, pickVersion, versionsInSpec } from "../../../src/cluster/api_version.ts";
import { jwtClaims } from "../../../src/cluster/jwt_claims.ts";
import { SlurmRestBackend } from "../../../src/cluster/slurm_rest.ts";
import { UserFacingError } from "../../../src/errors.ts";
import { assert, assertRejects } from "../../_helpers/assert.ts";

const fixture = (name: string) =>
  JSON.parse(Deno.readTextFileSync(new URL(`../../../fixtures/slurm/${name}`, import.meta.url)));

const jobs = (name: string) => jobsFromSlurmJson(fixture(name), "rest");

function pick<T extends object>(o: T, keys: (keyof T)[]): Partial<T> {
  return Object.fromEntries(
    keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]),
  ) as Partial<T>;
}

const CORE: (keyof JobInfo)[] = [
  "id",
  "jobId",
  "arrayJobId",
  "arrayTaskId",
  "arrayTaskString",
  "name",
  "user",
  "state",
  "reason",
  "exitCode",
  "exitSignal",
  "workDir",
  "stdout",
  "stderr",
  "batchHost",
  "restarts",
];

Deno.test("v0.0.38 job: raw wait status becomes exit code 3, paths stay patterns", () => {
  const [j] = jobs("rest-v0.0.38-job-10.json");
  deepStrictEqual(pick(j, CORE), {
    id: "10",
    jobId: 10,
    name: "s9s-fail",
    user: "root",
    state: "FAILED",
    reason: "NonZeroExitCode",
    exitCode: 3,
    workDir: "/tmp",
    stdout: "/tmp/s9s-fail-%j.out",
    batchHost: "vm",
    restarts: 0,
  });
  deepStrictEqual([j.submitTime, j.startTime, j.endTime], [
    1795965294000,
    1795965294000,
    1795965294000,
  ]);
});

Deno.test("v0.0.38 job: a cancelled job has a signal and no exit code of its own", () => {
  const [j] = jobs("rest-v0.0.38-job-cancelled.json");
  deepStrictEqual(pick(j, ["state", "exitCode", "exitSignal"]), {
    state: "CANCELLED",
    exitCode: 0,
    exitSignal: 15,
  });
});

Deno.test("v0.0.38 job: a running job has no exit code and no end time", () => {
  const [j] = jobs("rest-v0.0.38-job-11.json");
  deepStrictEqual(pick(j, ["state", "exitCode", "endTime", "stdout", "stderr", "workDir"]), {
    state: "RUNNING",
    stdout: "/tmp/s9s-wd/%x-%j-%u-%N.out",
    stderr: "/tmp/s9s-wd/%x-%j.err",
    workDir: "/tmp/s9s-wd",
  });
});

Deno.test("v0.0.38 job: array tasks get ids A_T and their own job ids", () => {
  const tasks = jobs("rest-v0.0.38-job-13.json");
  deepStrictEqual(tasks.map((j) => [j.id, j.jobId, j.arrayJobId, j.arrayTaskId]), [
    ["13_3", 13, 13, 3],
    ["13_2", 16, 13, 2],
    ["13_1", 15, 13, 1],
  ]);
  deepStrictEqual(sortTasks(tasks).map((j) => j.id), ["13_1", "13_2", "13_3"]);
  deepStrictEqual(jobs("rest-v0.0.38-job-13_2.json").map((j) => j.id), ["13_2"]);
  const throttled = jobs("rest-v0.0.38-job-array-throttled.json");
  const rest = throttled.find((j) => j.arrayTaskString)!;
  deepStrictEqual(
    pick(rest, ["id", "jobId", "arrayJobId", "arrayTaskString", "state", "reason", "startTime"]),
    {
      id: "18_[3-5%2]",
      jobId: 18,
      arrayJobId: 18,
      arrayTaskString: "3-5%2",
      state: "PENDING",
      reason: "JobArrayTaskLimit",
    },
  );
});

Deno.test("v0.0.38 job: held array, default output, requeued pending", () => {
  const [held] = jobs("rest-v0.0.38-job-pending-array-held.json");
  deepStrictEqual(pick(held, ["id", "arrayTaskString", "reason", "batchHost", "stdout"]), {
    id: "8_[1-5%2]",
    arrayTaskString: "1-5%2",
    reason: "JobHeldUser",
    stdout: "/tmp/s9s-pa-%A_%a.out",
  });
  const [dflt] = jobs("rest-v0.0.38-job-default-output.json");
  deepStrictEqual([dflt.stdout, dflt.stderr], [undefined, undefined], '"" means Slurm\'s default');
  const [requeued] = jobs("rest-v0.0.38-job-requeued-pending.json");
  deepStrictEqual(pick(requeued, ["state", "restarts", "reason", "startTime", "endTime"]), {
    state: "PENDING",
    restarts: 1,
    reason: "BeginTime",
  });
});

Deno.test("v0.0.38 unknown job: error 2017 is recognised", () => {
  const doc = fixture("rest-v0.0.38-job-nonexistent.json");
  deepStrictEqual(jobsFromSlurmJson(doc, "rest"), []);
  const errs = slurmErrors(doc);
  deepStrictEqual(errs[0].number, 2017);
  assert(isInvalidJobId(errs[0]));
});

Deno.test("v0.0.41 jobs: array-valued states, {set,number} numbers, exit objects", () => {
  const list = jobs("rest-v0.0.41-jobs.json");
  deepStrictEqual(list.map((j) => j.id), ["40_2", "40_[3-9%2]", "43", "44"]);
  const [task, rest, failed, killed] = list;
  deepStrictEqual(pick(task, CORE), {
    id: "40_2",
    jobId: 42,
    arrayJobId: 40,
    arrayTaskId: 2,
    name: "sweep",
    user: "alice",
    state: "RUNNING",
    workDir: "/home/alice/run",
    stdout: "/home/alice/run/%x-%A_%a.out",
    batchHost: "node01",
    restarts: 0,
  });
  deepStrictEqual([task.startTime, task.endTime, task.nodeList], [
    1795966300000,
    undefined,
    "node[01-02]",
  ]);
  deepStrictEqual(
    pick(rest, ["arrayJobId", "arrayTaskId", "arrayTaskString", "state", "startTime"]),
    {
      arrayJobId: 40,
      arrayTaskString: "3-9%2",
      state: "PENDING",
    },
  );
  deepStrictEqual(
    pick(failed, ["state", "exitCode", "exitSignal", "restarts", "stderr", "endTime"]),
    {
      state: "FAILED",
      exitCode: 3,
      restarts: 1,
      stderr: "/scratch/bob/%x-%j.err",
      endTime: 1795966400000,
    },
  );
  deepStrictEqual(pick(killed, ["state", "exitCode", "exitSignal", "stdout"]), {
    state: "CANCELLED",
    exitCode: 0,
    exitSignal: 9,
  });
});

Deno.test("v0.0.42 job: the expanded paths win over the patterns", () => {
  const [j] = jobs("rest-v0.0.42-job.json");
  deepStrictEqual(pick(j, ["state", "exitCode", "stdout", "stderr"]), {
    state: "COMPLETED",
    exitCode: 0,
    stdout: "/home/carol/logs/train-77-node07.out",
    stderr: "/home/carol/logs/train-77-node07.out",
  });
  const doc = fixture("rest-v0.0.41-job-invalid.json");
  assert(isInvalidJobId(slurmErrors(doc)[0]));
});

Deno.test("slurmNumber, slurmState and slurmExit accept every shape", () => {
  deepStrictEqual(slurmNumber(5), 5);
  deepStrictEqual(slurmNumber({ set: true, infinite: false, number: 7 }), 7);
  deepStrictEqual(slurmNumber({ set: false, infinite: false, number: 0 }), undefined);
  deepStrictEqual(slurmNumber({ set: true, infinite: true, number: 0 }), undefined);
  deepStrictEqual(slurmNumber(4294967294), undefined, "NO_VAL");
  deepStrictEqual(slurmNumber(null), undefined);
  deepStrictEqual(slurmState(["PENDING", "REQUEUED"]), "PENDING");
  deepStrictEqual(slurmState("running"), "RUNNING");
  deepStrictEqual(slurmExit(768), { exitCode: 3, exitSignal: undefined });
  deepStrictEqual(slurmExit(9), { exitCode: 0, exitSignal: 9 });
  deepStrictEqual(
    slurmExit({ status: "SIGNALED", return_code: 0, signal: { signal_id: 15, name: "TERM" } }),
    {
      exitCode: 0,
      exitSignal: 15,
    },
  );
});

Deno.test("taskInRange and selectJobs narrow a pending array record to one task", () => {
  assert(taskInRange("3-9%2", 4));
  assert(!taskInRange("3-9%2", 10));
  assert(taskInRange("1,5-11:2", 7) && !taskInRange("1,5-11:2", 6));
  const list = jobs("rest-v0.0.41-jobs.json");
  deepStrictEqual(selectJobs(list, "40").map((j) => j.id), ["40_2", "40_[3-9%2]"]);
  deepStrictEqual(selectJobs(list, "42").map((j) => j.id), ["40_2"]);
  const [five] = selectJobs(list, "40_5");
  deepStrictEqual(pick(five, ["id", "jobId", "arrayTaskId", "arrayTaskString", "state"]), {
    id: "40_5",
    jobId: 40,
    arrayTaskId: 5,
    state: "PENDING",
  });
  deepStrictEqual(selectJobs(list, "40_10"), []);
});

Deno.test("version discovery picks the newest version s9s knows", () => {
  deepStrictEqual(versionsInSpec(fixture("openapi-v3-paths.json")), ["v0.0.38"]);
  deepStrictEqual(pickVersion(["v0.0.39", "v0.0.41", "v0.0.40"]), "v0.0.41");
  deepStrictEqual(pickVersion(["v0.0.41", "v0.0.45"]), "v0.0.41");
  deepStrictEqual(pickVersion(["v0.0.44", "v0.0.45"]), "v0.0.45");
  deepStrictEqual(pickVersion([]), undefined);
  deepStrictEqual(normalizeVersion("0.0.40"), "v0.0.40");
  deepStrictEqual(normalizeVersion("v0.0.40"), "v0.0.40");
});

Deno.test("jwtClaims reads the user and expiry of a token", () => {
  const b64 = (o: unknown) =>
    btoa(JSON.stringify(o)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  const token = `${b64({ alg: "HS256" })}.${
    b64({ exp: 1795967874, iat: 1795966074, sun: "alice" })
  }.sig`;
  deepStrictEqual(jwtClaims(token), { exp: 1795967874, iat: 1795966074, sun: "alice" });
  deepStrictEqual(jwtClaims("not a token"), {});
});

// ---- the HTTP side against a stand-in slurmrestd speaking v0.0.41 on a unix socket ----

async function withServer(
  handler: (req: Request) => Response,
  fn: (socket: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "s9s-rest-" });
  const socket = `${dir}/restd.sock`;
  const server = Deno.serve({ path: socket, onListen() {} }, handler);
  try {
    await fn(socket);
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
}

const json = (doc: unknown, status = 200) =>
  new Response(JSON.stringify(doc), { status, headers: { "content-type": "application/json" } });

Deno.test("SlurmRestBackend finds v0.0.41 by probing ping when there is no /openapi/v3", async () => {
  const seen: string[] = [];
  const v41 = fixture("rest-v0.0.41-jobs.json");
  await withServer((req) => {
    const path = new URL(req.url).pathname;
    seen.push(path);
    if (path === "/slurm/v0.0.41/ping") return json({ pings: [], errors: [] });
    if (path === "/slurm/v0.0.41/job/40") return json({ ...v41, jobs: v41.jobs.slice(0, 2) });
    if (path === "/slurm/v0.0.41/job/40_5") {
      return json({
        jobs: [],
        errors: [{
          error_number: 9002,
          error: "not found",
          description: "Unable to find JobId=40_5",
        }],
      }, 400);
    }
    if (path === "/slurm/v0.0.41/job/999") {
      return json(fixture("rest-v0.0.41-job-invalid.json"), 500);
    }
    if (path === "/slurm/v0.0.41/jobs") return json(v41);
    return new Response("Unable find requested URL.", { status: 404 });
  }, async (socket) => {
    const b = new SlurmRestBackend({ socket });
    try {
      deepStrictEqual(await b.version(), "v0.0.41");
      deepStrictEqual(seen.slice(0, 4), [
        "/openapi/v3",
        "/slurm/v0.0.43/ping",
        "/slurm/v0.0.42/ping",
        "/slurm/v0.0.41/ping",
      ]);
      deepStrictEqual((await b.getJob("40")).map((j) => j.id), ["40_2", "40_[3-9%2]"]);
      deepStrictEqual((await b.getJob("40_5")).map((j) => [j.id, j.arrayTaskId]), [["40_5", 5]]);
      deepStrictEqual(await b.getJob("999"), []);
      deepStrictEqual((await b.listJobs({ user: "bob", states: ["failed"] })).map((j) => j.id), [
        "43",
      ]);
      const many = await b.getJobs(["43", "40_2", "7"]);
      deepStrictEqual([...many].map(([k, v]) => [k, v.map((j) => j.id)]), [["43", ["43"]], [
        "40_2",
        [
          "40_2",
        ],
      ], ["7", []]]);
    } finally {
      b.close();
    }
  });
});

Deno.test("SlurmRestBackend sends the token and its user, and explains a refusal", async () => {
  const b64 = (o: unknown) => btoa(JSON.stringify(o)).replace(/=+$/, "");
  const token = `${b64({ alg: "HS256" })}.${b64({ sun: "alice", exp: 4102444800 })}.sig`;
  let headers: [string | null, string | null] = [null, null];
  await withServer((req) => {
    headers = [req.headers.get("x-slurm-user-name"), req.headers.get("x-slurm-user-token")];
    if (req.headers.get("x-slurm-user-token") !== token) {
      return new Response("Authentication failure", { status: 401 });
    }
    return json({ paths: { "/slurm/v0.0.40/jobs": {} } });
  }, async (socket) => {
    const good = new SlurmRestBackend({ socket, token });
    const bad = new SlurmRestBackend({ socket, token: "x.y.z", user: "alice" });
    try {
      deepStrictEqual(await good.version(), "v0.0.40");
      deepStrictEqual(headers, ["alice", token]);
      const err = await assertRejects(() => bad.version(), /refused the credentials \(HTTP 401\)/);
      assert(err instanceof UserFacingError);
      assert(/TCP endpoint|JWT/.test(err.hint ?? ""), err.hint);
    } finally {
      good.close();
      bad.close();
    }
  });
});
