/**
 * The cluster backends against the real single-node Slurm started by scripts/slurm_cluster.sh
 * (`eval "$(bash scripts/slurm_cluster.sh env)"`). Skipped unless S9S_TEST_SLURM=1.
 */
import { deepStrictEqual } from "node:assert";
import type { JobInfo } from "../../src/cluster/job.ts";
import { expandPattern, fieldsOf } from "../../src/cluster/patterns.ts";
import { SlurmCliBackend } from "../../src/cluster/slurm_cli.ts";
import { runSlurmCommand } from "../../src/cluster/slurm_command.ts";
import { SlurmRestBackend } from "../../src/cluster/slurm_rest.ts";
import { UserFacingError } from "../../src/errors.ts";
import { assert, assertRejects, waitFor } from "../_helpers/assert.ts";

const env = (k: string) => Deno.env.get(k) ?? "";
const ENABLED = env("S9S_TEST_SLURM") === "1";
const SOCKET = env("S9S_TEST_SLURMRESTD_SOCKET") || "/run/s9s-slurmrestd/slurmrestd.sock";
const URL_ = env("S9S_TEST_SLURMRESTD_URL") || "http://127.0.0.1:6820";
const API = env("S9S_TEST_SLURMRESTD_API") || "v0.0.38";
const NODE = env("S9S_TEST_SLURM_NODE") || undefined;
const WAIT = { timeout: 30_000, interval: 250 };

async function sbatch(args: string[]): Promise<string> {
  const r = await runSlurmCommand("sbatch", ["--parsable", ...args]);
  if (r.code !== 0) throw new Error(`sbatch failed: ${r.stderr}`);
  return r.stdout.trim().split(";")[0];
}

/** What every backend must agree on, with paths expanded as slurmstepd would. */
function essentials(j: JobInfo) {
  const expand = (p: string | undefined) =>
    p === undefined ? undefined : expandPattern(p, fieldsOf(j));
  const dflt = j.arrayTaskId !== undefined ? "slurm-%A_%a.out" : "slurm-%j.out";
  // "" / undefined means Slurm's default file in the working directory; stderr then shares stdout.
  const stdout = expand(j.stdout) ?? expand(`${j.workDir}/${dflt}`);
  return {
    id: j.id,
    jobId: j.jobId,
    arrayJobId: j.arrayJobId,
    arrayTaskId: j.arrayTaskId,
    name: j.name,
    user: j.user,
    state: j.state,
    reason: j.reason,
    exitCode: j.exitCode,
    exitSignal: j.exitSignal,
    workDir: j.workDir,
    stdout,
    stderr: expand(j.stderr) ?? stdout,
    batchHost: j.batchHost,
    nodeList: j.nodeList,
    partition: j.partition,
    submitTime: j.submitTime,
    startTime: j.startTime,
    endTime: j.endTime,
    restarts: j.restarts,
  };
}

async function allAgree(
  backends: { name: string; getJob(id: string): Promise<JobInfo[]> }[],
  ids: string[],
): Promise<void> {
  for (const id of ids) {
    const [first, ...others] = await Promise.all(backends.map((b) => b.getJob(id)));
    assert(first.length > 0, `job ${id} not found by ${backends[0].name}`);
    for (const [i, jobs] of others.entries()) {
      deepStrictEqual(
        jobs.map(essentials),
        first.map(essentials),
        `${backends[i + 1].name} vs ${backends[0].name}, job ${id}`,
      );
    }
  }
}

Deno.test({
  name:
    "Slurm backends report real jobs alike through the commands and slurmrestd (socket and JWT)",
  ignore: !ENABLED,
  async fn(t) {
    const dir = await Deno.makeTempDir({ dir: "/tmp", prefix: "s9s-it-backends-" });
    const go = `${dir}/go`;
    const waitGo = `while [ ! -e ${go} ]; do sleep 0.1; done`;
    const submitted: string[] = [];
    const cli = new SlurmCliBackend();
    const unix = new SlurmRestBackend({ socket: SOCKET });
    const tcp = new SlurmRestBackend({ url: URL_ }); // token from `scontrol token`
    const backends = [
      { name: "cli", getJob: (id: string) => cli.getJob(id) },
      { name: "rest/unix", getJob: (id: string) => unix.getJob(id) },
      { name: "rest/tcp+jwt", getJob: (id: string) => tcp.getJob(id) },
    ];
    const submit = async (args: string[]) => {
      const id = await sbatch(args);
      submitted.push(id);
      return id;
    };
    try {
      const ok = await submit([
        "-J",
        "s9s-it-ok",
        "-D",
        dir,
        "-o",
        `${dir}/%x-%j.out`,
        "-e",
        `${dir}/%x-%j.err`,
        "--wrap",
        `echo out; echo err >&2; ${waitGo}`,
      ]);
      const fail = await submit([
        "-J",
        "s9s-it-fail",
        "-D",
        dir,
        "-o",
        `${dir}/%x-%j.out`,
        "--wrap",
        "exit 3",
      ]);
      const arr = await submit([
        "-J",
        "s9s-it-arr",
        "--array=1-3",
        "-D",
        dir,
        "-o",
        `${dir}/%x-%A_%a.out`,
        "--wrap",
        `echo task $SLURM_ARRAY_TASK_ID; ${waitGo}`,
      ]);
      const held = await submit(["-J", "s9s-it-held", "--hold", "-D", dir, "--wrap", "true"]);
      const heldArr = await submit([
        "-J",
        "s9s-it-harr",
        "--hold",
        "--array=1-4%2",
        "-D",
        dir,
        "-o",
        `${dir}/%x-%A_%a.out`,
        "--wrap",
        "true",
      ]);

      await t.step("slurmrestd's API version is discovered on both transports", async () => {
        deepStrictEqual(await unix.version(), API);
        deepStrictEqual(await tcp.version(), API);
      });

      await t.step("CLI: a running job with separate stdout and stderr", async () => {
        const [j] = await waitFor(async () => {
          const js = await cli.getJob(ok);
          return js[0]?.state === "RUNNING" ? js : undefined;
        }, { ...WAIT, what: `job ${ok} running` });
        deepStrictEqual(
          [j.id, j.jobId, j.name, j.user, j.workDir, j.stdout, j.stderr, j.exitCode, j.backend],
          [
            ok,
            Number(ok),
            "s9s-it-ok",
            "root",
            dir,
            `${dir}/s9s-it-ok-${ok}.out`,
            `${dir}/s9s-it-ok-${ok}.err`,
            undefined,
            "cli",
          ],
        );
        assert(j.batchHost && (!NODE || j.batchHost === NODE), `batchHost ${j.batchHost}`);
        assert(
          j.startTime && j.submitTime && j.startTime >= j.submitTime,
          "start and submit times",
        );
      });

      await t.step("CLI: an array of 3 tasks is 3 jobs N_1..N_3", async () => {
        const tasks = await waitFor(async () => {
          const js = await cli.getJob(arr);
          return js.length === 3 && js.every((j) => j.state === "RUNNING") ? js : undefined;
        }, { ...WAIT, what: `array ${arr} running` });
        deepStrictEqual(tasks.map((j) => [j.id, j.arrayJobId, j.arrayTaskId]), [
          [`${arr}_1`, Number(arr), 1],
          [`${arr}_2`, Number(arr), 2],
          [`${arr}_3`, Number(arr), 3],
        ]);
        deepStrictEqual(
          tasks.map((j) => j.stdout),
          [1, 2, 3].map((k) => `${dir}/s9s-it-arr-${arr}_${k}.out`),
        );
        const [two] = await cli.getJob(`${arr}_2`);
        deepStrictEqual(two.id, `${arr}_2`);
      });

      await t.step("CLI: a held job is PENDING with its reason; an unknown id is []", async () => {
        const [h] = await cli.getJob(held);
        deepStrictEqual([h.state, h.reason, h.batchHost, h.startTime], [
          "PENDING",
          "JobHeldUser",
          undefined,
          undefined,
        ]);
        deepStrictEqual(h.stdout, `${dir}/slurm-${held}.out`, "scontrol fills in the default");
        const unknown = String(Number(held) + 500_000);
        deepStrictEqual(await cli.getJob(unknown), []);
        deepStrictEqual(await unix.getJob(unknown), []);
        deepStrictEqual(await tcp.getJob(unknown), []);
      });

      await t.step(
        "slurmrestd (socket and JWT) agrees with the commands on live jobs",
        async () => {
          const [h] = await unix.getJob(held);
          deepStrictEqual(h.stdout, undefined, "slurmrestd leaves the default output empty");
          deepStrictEqual(
            (await unix.getJob(ok))[0].stdout,
            `${dir}/%x-%j.out`,
            "slurmrestd does not expand",
          );
          await allAgree(backends, [ok, arr, `${arr}_3`, held, fail]);
        },
      );

      await t.step(
        "a held array is one pending record; each backend narrows it to a task",
        async () => {
          const [rec] = await cli.getJob(heldArr);
          deepStrictEqual([rec.id, rec.arrayJobId, rec.arrayTaskString, rec.state, rec.reason], [
            `${heldArr}_[1-4%2]`,
            Number(heldArr),
            "1-4%2",
            "PENDING",
            "JobHeldUser",
          ]);
          const [three] = await unix.getJob(`${heldArr}_3`);
          deepStrictEqual([three.id, three.arrayTaskId, three.arrayTaskString], [
            `${heldArr}_3`,
            3,
            undefined,
          ]);
          await allAgree(backends, [heldArr, `${heldArr}_3`]);
          deepStrictEqual(await cli.getJob(`${heldArr}_9`), []);
          deepStrictEqual(await unix.getJob(`${heldArr}_9`), []);
        },
      );

      await Deno.writeTextFile(go, "");

      await t.step("CLI: state goes RUNNING → COMPLETED; exit 3 is exit code 3", async () => {
        const [done] = await waitFor(async () => {
          const js = await cli.getJob(ok);
          return js[0]?.state === "COMPLETED" ? js : undefined;
        }, { ...WAIT, what: `job ${ok} completed` });
        deepStrictEqual([done.exitCode, done.exitSignal], [0, undefined]);
        assert(done.endTime && done.endTime >= done.startTime!, "end time");
        deepStrictEqual(await Deno.readTextFile(`${dir}/s9s-it-ok-${ok}.out`), "out\n");
        deepStrictEqual(await Deno.readTextFile(`${dir}/s9s-it-ok-${ok}.err`), "err\n");
        const [f] = await cli.getJob(fail);
        deepStrictEqual([f.state, f.exitCode, f.exitSignal, f.reason], [
          "FAILED",
          3,
          undefined,
          "NonZeroExitCode",
        ]);
        await waitFor(async () => (await cli.getJob(arr)).every((j) => j.state === "COMPLETED"), {
          ...WAIT,
          what: `array ${arr} completed`,
        });
      });

      await t.step("slurmrestd agrees with the commands on finished jobs", async () => {
        await allAgree(backends, [ok, fail, arr, `${arr}_2`]);
      });

      await t.step("listJobs and getJobs agree across backends", async () => {
        const mine = new Set(submitted);
        const ours = (js: JobInfo[]) =>
          js.filter((j) => mine.has(String(j.arrayJobId ?? j.jobId))).map(essentials)
            .sort((a, b) => a.id.localeCompare(b.id));
        const fromCli = ours(await cli.listJobs());
        deepStrictEqual(fromCli.length, 7, "ok, fail, 3 tasks, held, held array");
        deepStrictEqual(ours(await unix.listJobs()), fromCli);
        deepStrictEqual(ours(await tcp.listJobs()), fromCli);
        deepStrictEqual(
          ours(await cli.listJobs({ states: ["PENDING"] })).map((j) => j.id).sort(),
          [held, `${heldArr}_[1-4%2]`].sort(),
        );
        const ids = [ok, fail, arr, held];
        const batchCli = await cli.getJobs(ids);
        const batchRest = await unix.getJobs(ids);
        for (const id of ids) {
          deepStrictEqual(
            batchRest.get(id)!.map(essentials),
            batchCli.get(id)!.map(essentials),
            `getJobs ${id}`,
          );
        }
      });

      await t.step(
        "the squeue -o fallback lists the same jobs when --json is refused",
        async () => {
          const noJson = new SlurmCliBackend({
            run: (cmd, args) =>
              args.includes("--json")
                ? Promise.resolve({
                  code: 1,
                  stdout: "",
                  stderr: "squeue: unrecognized option '--json'\n",
                })
                : runSlurmCommand(cmd, args),
          });
          const listed = (await noJson.listJobs()).filter((j) =>
            submitted.includes(String(j.arrayJobId ?? j.jobId))
          );
          const want = (await cli.listJobs()).filter((j) =>
            submitted.includes(String(j.arrayJobId ?? j.jobId))
          );
          const brief = (
            j: JobInfo,
          ) => [j.id, j.state, j.name, j.user, j.workDir, j.batchHost, j.submitTime];
          deepStrictEqual(listed.map(brief).sort(), want.map(brief).sort());
        },
      );

      await t.step("slurmrestd errors say what to fix", async () => {
        const bad = new SlurmRestBackend({ url: URL_, token: "not-a-jwt", user: "root" });
        const e1 = await assertRejects(() => bad.getJob(ok), /slurmrestd failed/);
        assert(
          e1 instanceof UserFacingError && /SLURM_JWT/.test(e1.hint ?? ""),
          (e1 as UserFacingError).hint,
        );
        const wrong = new SlurmRestBackend({ socket: SOCKET, version: "v0.0.99" });
        try {
          const e2 = await assertRejects(() => wrong.getJob(ok), /HTTP 404/);
          assert(/streaming\.slurm_api\.version/.test((e2 as UserFacingError).hint ?? ""));
        } finally {
          wrong.close();
        }
      });
    } finally {
      if (submitted.length) await runSlurmCommand("scancel", submitted).catch(() => undefined);
      unix.close();
      tcp.close();
      await Deno.remove(dir, { recursive: true }).catch(() => undefined);
    }
  },
});
