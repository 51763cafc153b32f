/**
 * `s9s submit` end to end on the real single-node Slurm (scripts/slurm_cluster.sh): the job is
 * submitted once, followed to its end, and its exit code passed through; sbatch's errors are
 * passed through as sbatch wrote them; Ctrl+C detaches, or cancels with --cancel-on-interrupt.
 * Skipped unless S9S_TEST_SLURM=1. Jobs wait for a "go" file instead of sleeping; the cluster is
 * shared and has 2 CPUs, so deadlines are generous (a job may pend behind others).
 */
import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
  waitFor,
} from "../_helpers/assert.ts";
import { runS9s, S9sProcess, testEnv } from "../_helpers/cli.ts";
import { sh } from "../_helpers/command.ts";
import { jobScratch } from "../_helpers/temp_dir.ts";

const ENABLED = Deno.env.get("S9S_TEST_SLURM") === "1";
const LONG = 180_000;

/** stdout of a Slurm command, whether or not it succeeded (scancel of an ended job fails). */
async function cmd(name: string, args: string[]): Promise<string> {
  return (await sh([name, ...args])).stdout;
}

/** Job ids (all states slurmctld still knows) with this job name. */
async function idsNamed(name: string): Promise<string[]> {
  const out = await cmd("squeue", ["-h", "--states=all", "-n", name, "-o", "%i"]);
  return out.split("\n").map((l) => l.trim()).filter(Boolean);
}

async function jobState(id: string): Promise<string> {
  return /JobState=(\S+)/.exec(await cmd("scontrol", ["show", "job", "-o", id]))?.[1] ?? "";
}

/** A scratch directory (the job's working directory) with a private S9S_HOME. */
async function scratch(name: string) {
  const { dir, home, go, wait } = await jobScratch(`s9s-it-submit-${name}-`);
  // No SSH: a job's output file not created yet when s9s first looks (in /tmp, node-local: not
  // waited for) makes it ask the node (this host, where no sshd listens on port 22) and say it
  // cannot; what these tests compare is the rest of stderr (see settled).
  await Deno.writeTextFile(
    `${home}/config.yaml`,
    "cluster:\n  poll_interval: 500ms\nstreaming:\n  ssh:\n    enabled: false\n",
  );
  const jobName = `s9s-sub-${name}-${crypto.randomUUID().slice(0, 8)}`;
  return {
    dir,
    home,
    jobName,
    env: testEnv(home),
    go: () => go(),
    wait: wait(),
    cleanup: async () => {
      const ids = await idsNamed(jobName);
      if (ids.length) await cmd("scancel", ids);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/**
 * stderr without the chatter that depends on timing: pending/running (how busy the cluster is) and
 * waiting for the output file (slurmd makes it as the job starts: s9s may look a moment before).
 */
function settled(stderr: string): string[] {
  return stderr.split("\n").filter((l) =>
    l && !/^s9s: job \d+ is [A-Z_]+/.test(l) && !/^s9s: waiting for ".*" to appear$/.test(l)
  );
}

Deno.test({
  name: "s9s submit follows a job to its end and exits with its code (0, 3, cancelled)",
  ignore: !ENABLED,
  async fn() {
    await Promise.all([
      (async () => {
        // -o is sbatch's: the output file is named as sbatch was told.
        const s = await scratch("ok");
        try {
          const r = await runS9s([
            "submit",
            "-J",
            s.jobName,
            "-o",
            "out-%j.txt",
            "--wrap",
            "for i in 1 2 3; do echo line $i; done; echo oops >&2",
          ], { env: s.env, cwd: s.dir });
          const [id] = await idsNamed(s.jobName);
          assertEquals(r.stdout, "line 1\nline 2\nline 3\noops\n", r.stderr);
          assertEquals(settled(r.stderr), [
            `s9s: submitted job ${id}`,
            `s9s: stderr goes to the same file as stdout (${s.dir}/out-${id}.txt); shown there`,
            `s9s: stream ${id}:stdout ended after 4 lines`,
          ]);
          assertEquals(r.code, 0);
          assertEquals(await idsNamed(s.jobName), [id], "submitted once");
        } finally {
          await s.cleanup();
        }
      })(),
      (async () => {
        const s = await scratch("three");
        try {
          const r = await runS9s(
            ["submit", "--quiet", "-J", s.jobName, "--wrap", "echo before; exit 3"],
            { env: s.env, cwd: s.dir },
          );
          const [id] = await idsNamed(s.jobName);
          assertEquals(r.stdout, "before\n");
          assertEquals(r.stderr, `s9s: job ${id} ended FAILED, exit code 3\n`);
          assertEquals(r.code, 3);
        } finally {
          await s.cleanup();
        }
      })(),
      (async () => {
        // Cancelled from outside while it runs: non-zero, with the reason on one line.
        const s = await scratch("cancelled");
        try {
          const p = new S9sProcess(
            ["submit", "--quiet", "-J", s.jobName, "--wrap", `echo started; ${s.wait}; echo never`],
            { env: s.env, cwd: s.dir },
          );
          await p.waitForLines(1, LONG);
          const [id] = await idsNamed(s.jobName);
          await cmd("scancel", [id]);
          const st = await p.finished();
          // slurmstepd says so in the job's output (stderr goes to the same file).
          assertEquals(p.lines.length, 2, p.lines.join("\n"));
          assertEquals(p.lines[0], "started");
          assertMatch(
            p.lines[1],
            new RegExp(`^slurmstepd-\\S+: error: \\*\\*\\* JOB ${id} ON \\S+ CANCELLED AT `),
          );
          assertEquals(p.stderr, `s9s: job ${id} ended CANCELLED (cancelled, signal 15)\n`);
          assertEquals(st.code, 143);
        } finally {
          await s.cleanup();
        }
      })(),
    ]);
  },
});

Deno.test({
  name: "s9s submit of an array exits with the highest task exit code; JSON has the submit event",
  ignore: !ENABLED,
  async fn() {
    const s = await scratch("array");
    try {
      const r = await runS9s([
        "submit",
        "--output-format",
        "json",
        "-J",
        s.jobName,
        "--array=1-2",
        "--wrap",
        'echo "task $SLURM_ARRAY_TASK_ID"; [ "$SLURM_ARRAY_TASK_ID" = 2 ] && exit 4; exit 0',
      ], { env: s.env, cwd: s.dir });
      const events = r.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l));
      const [submitted, ...rest] = events;
      const id = submitted.job_id as string;
      assertEquals([submitted.type, submitted.content, submitted.state], [
        "status",
        `submitted job ${id}`,
        "pending",
      ]);
      const lines = rest.filter((e) => e.type !== "status").map((e) => [e.job_id, e.content]);
      assertEquals(lines.sort(), [[`${id}_1`, "task 1"], [`${id}_2`, "task 2"]]);
      const last = rest.at(-1);
      assertEquals(
        [last.type, last.content],
        ["status", `job ${id}: 1 of 2 tasks did not succeed: ${id}_2 FAILED, exit code 4`],
      );
      assertEquals(r.stderr, "");
      assertEquals(r.code, 4);
    } finally {
      await s.cleanup();
    }
  },
});

Deno.test({
  name: "s9s submit passes sbatch's errors through as written and submits nothing",
  ignore: !ENABLED,
  async fn() {
    const s = await scratch("errors");
    try {
      const usage = await runS9s(
        ["submit", "-J", s.jobName, "--no-such-sbatch-option", "--wrap", "true"],
        { env: s.env, cwd: s.dir },
      );
      assertEquals(
        usage.stderr,
        [
          "sbatch: unrecognized option '--no-such-sbatch-option'",
          'Try "sbatch --help" for more information',
          "",
        ].join("\n"),
      );
      assertEquals([usage.stdout, usage.code], ["", 2]);
      const refused = await runS9s(
        ["submit", "-J", s.jobName, "-p", "no-such-partition", "--wrap", "true"],
        { env: s.env, cwd: s.dir },
      );
      assertEquals(
        refused.stderr,
        [
          "sbatch: error: invalid partition specified: no-such-partition",
          "sbatch: error: Batch job submission failed: Invalid partition name specified",
          "",
        ].join("\n"),
      );
      assertEquals([refused.stdout, refused.code], ["", 1]);
      // s9s's own mistakes are found before sbatch runs.
      const own = await runS9s(
        ["submit", "-J", s.jobName, "--filter", "(", "--wrap", "true"],
        { env: s.env, cwd: s.dir },
      );
      assertEquals(own.code, 2);
      assertStringIncludes(own.stderr, 'error: --filter: invalid regular expression "("');
      assertEquals(await idsNamed(s.jobName), [], "nothing was submitted");
    } finally {
      await s.cleanup();
    }
  },
});

Deno.test({
  name: "s9s submit: Ctrl+C detaches and the job runs on; --cancel-on-interrupt cancels it",
  ignore: !ENABLED,
  async fn() {
    const s = await scratch("interrupt");
    const t = await scratch("cancel");
    try {
      const detach = new S9sProcess(
        ["submit", "-J", s.jobName, "--wrap", `echo started; ${s.wait}; echo after`],
        { env: s.env, cwd: s.dir },
      );
      const cancel = new S9sProcess(
        ["submit", "--cancel-on-interrupt", "-J", t.jobName, "--wrap", `echo started; ${t.wait}`],
        { env: t.env, cwd: t.dir },
      );
      await Promise.all([detach.waitForLines(1, LONG), cancel.waitForLines(1, LONG)]);
      const [a] = await idsNamed(s.jobName);
      const [b] = await idsNamed(t.jobName);
      const [sa, sb] = await Promise.all([detach.stop("SIGINT"), cancel.stop("SIGINT")]);
      assertEquals([sa.code, sb.code], [130, 130]);
      assertEquals([detach.lines, cancel.lines], [["started"], ["started"]]);
      assertStringIncludes(
        detach.stderr,
        `s9s: detached; job ${a} keeps running. Follow it again with: s9s stream --job ${a}\n`,
      );
      assertEquals(await jobState(a), "RUNNING");
      assertStringIncludes(cancel.stderr, `s9s: cancelled job ${b}\n`);
      await waitFor(async () => /CANCELLED/.test(await jobState(b)), {
        timeout: 30_000,
        what: `job ${b} cancelled`,
      });
      // The detached job is still there to follow, to its end.
      await s.go();
      const again = await runS9s(["stream", "--job", a, "--exit-code"], { env: s.env, cwd: s.dir });
      assertEquals([again.stdout, again.code], ["started\nafter\n", 0], again.stderr);
      assert(sa.code === 130 && (await idsNamed(s.jobName)).length === 1, "submitted once");
    } finally {
      await s.cleanup();
      await t.cleanup();
    }
  },
});

Deno.test({
  name:
    "s9s submit through slurmrestd: #SBATCH lines and options as job fields, exit code, refusals",
  ignore: !ENABLED,
  async fn() {
    const s = await scratch("rest");
    const socket = Deno.env.get("S9S_TEST_SLURMRESTD_SOCKET") ||
      "/run/s9s-slurmrestd/slurmrestd.sock";
    try {
      await Deno.writeTextFile(
        `${s.home}/config.yaml`,
        // As scratch's, ssh off (see there), with slurmrestd's socket.
        `cluster:\n  poll_interval: 500ms\nstreaming:\n  ssh:\n    enabled: false\n  slurm_api:\n    socket: ${socket}\n`,
      );
      await Deno.writeTextFile(
        `${s.dir}/job.sh`,
        [
          "#!/bin/bash",
          `#SBATCH --job-name=${s.jobName}`,
          "#SBATCH -o rest-%j.txt  # a comment",
          "",
          'echo "X=$X in $PWD"',
          "echo to-stderr >&2",
          "exit 5",
          "",
        ].join("\n"),
      );
      const rest = ["submit", "--cluster-api", "rest"];
      const r = await runS9s([...rest, "--export=ALL,X=7", "job.sh"], { env: s.env, cwd: s.dir });
      const [id] = await idsNamed(s.jobName);
      assertEquals(r.stdout, `X=7 in ${s.dir}\nto-stderr\n`, r.stderr);
      assertEquals(settled(r.stderr), [
        `s9s: submitted job ${id}`,
        `s9s: stderr goes to the same file as stdout (${s.dir}/rest-${id}.txt); shown there`,
        `s9s: stream ${id}:stdout ended after 2 lines`,
        `s9s: job ${id} ended FAILED, exit code 5`,
      ]);
      assertEquals(r.code, 5);
      // Refused by Slurm: its reason, exit 1. No field for an option, or script arguments: exit 2.
      const refused = await runS9s(
        [...rest, "-J", s.jobName, "-p", "no-such-partition", "job.sh"],
        {
          env: s.env,
          cwd: s.dir,
        },
      );
      assertEquals([refused.code, refused.stdout], [1, ""]);
      assertStringIncludes(
        refused.stderr,
        "error: slurmrestd refused the job: Invalid partition name specified\n",
      );
      const nofield = await runS9s([...rest, "-J", s.jobName, "-w", "vm", "job.sh"], {
        env: s.env,
        cwd: s.dir,
      });
      assertEquals(nofield.code, 2);
      assertStringIncludes(
        nofield.stderr,
        `error: slurmrestd's job submit has no field for "-w"\n`,
      );
      const args = await runS9s([...rest, "-J", s.jobName, "job.sh", "x"], {
        env: s.env,
        cwd: s.dir,
      });
      assertEquals(args.code, 2);
      assertStringIncludes(args.stderr, "error: script arguments cannot go through slurmrestd");
      assertEquals(await idsNamed(s.jobName), [id], "only the first was submitted");
      // Ctrl+C with --cancel-on-interrupt cancels through slurmrestd.
      const p = new S9sProcess(
        [
          ...rest,
          "--cancel-on-interrupt",
          "-J",
          `${s.jobName}-c`,
          "--wrap",
          `echo started; ${s.wait}`,
        ],
        { env: s.env, cwd: s.dir },
      );
      await p.waitForLines(1, LONG);
      const [c] = await idsNamed(`${s.jobName}-c`);
      assertEquals((await p.stop("SIGINT")).code, 130);
      assertStringIncludes(p.stderr, `s9s: cancelled job ${c}\n`);
      await waitFor(async () => /CANCELLED/.test(await jobState(c)), {
        timeout: 30_000,
        what: `job ${c} cancelled`,
      });
    } finally {
      const more = await idsNamed(`${s.jobName}-c`);
      if (more.length) await cmd("scancel", more);
      await s.cleanup();
    }
  },
});
