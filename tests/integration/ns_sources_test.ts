/**
 * `--node NAME --path FILE` with a ~/.ssh/config alias behind a ProxyJump, and the api source
 * (sattach) on a running srun step, `--source file|ssh` and `--node` files beside a `--job`,
 * through the real CLI on the namespace cluster.
 */
import { assert, assertEquals, assertMatch, waitFor } from "../_helpers/assert.ts";
import { denoCacheDir, runS9s, S9sProcess, testEnv } from "../_helpers/cli.ts";
import { validateEvent } from "../_helpers/schema.ts";
import { type NsCluster, nsCluster, nsRun, nsSbatch } from "../_helpers/ns_cluster.ts";

const ns = await nsCluster();

/** A HOME with ~/.ssh/config, and an s9s config, in a temp dir. */
async function home(
  c: NsCluster,
  sshConfig: string,
): Promise<{ dir: string; env: Record<string, string> }> {
  const dir = await Deno.makeTempDir({ prefix: "s9s-ns-home-" });
  await Deno.mkdir(`${dir}/.ssh`, { mode: 0o700 });
  await Deno.writeTextFile(`${dir}/.ssh/config`, sshConfig);
  // The built-in client: it reads ~/.ssh/config from $HOME, which the system ssh ignores (it
  // takes the home directory from the password database).
  await Deno.writeTextFile(
    `${dir}/config.yaml`,
    "streaming:\n  ssh:\n    transport: builtin\n  persistence:\n    enabled: false\n",
  );
  const denoDir = denoCacheDir();
  return {
    dir,
    env: testEnv(dir, { HOME: dir, DENO_DIR: denoDir, SLURM_CONF: c.slurmConf }),
  };
}

async function onNode(c: NsCluster, node: string, script: string): Promise<void> {
  const pid = (await Deno.readTextFile(`${c.run}/slurmd-${node}.pid`)).trim();
  const out = await new Deno.Command("nsenter", { args: ["-t", pid, "-m", "sh", "-c", script] })
    .output();
  assertEquals(out.code, 0, `on ${node}: ${script}`);
}

Deno.test({
  name: "--node with a ~/.ssh/config alias follows a file on a node behind a ProxyJump",
  ignore: !ns,
  async fn() {
    const c = ns!;
    const f = `/tmp/node-file-${Date.now()}.log`;
    await onNode(c, "node002", `printf 'alpha\\nbeta\\n' > ${f}`);
    const h = await home(
      c,
      [
        "Host bastion",
        `  HostName ${c.addrs[0]}`,
        "Host compute2",
        "  HostName node002",
        "  ProxyJump bastion",
        "Host *",
        "  User root",
        `  IdentityFile ${c.key}`,
        "  IdentitiesOnly yes",
        `  UserKnownHostsFile ${c.knownHosts}`,
        "  StrictHostKeyChecking yes",
        "",
      ].join("\n"),
    );
    const log = `${c.logs}/sshd-node002.log`;
    const before = (await Deno.readTextFile(log)).length;
    try {
      const p = new S9sProcess(
        [
          "stream",
          "--node",
          "compute2",
          "--path",
          f,
          "-o",
          "json",
          "--events",
          "--config",
          `${h.dir}/config.yaml`,
        ],
        { env: h.env },
      );
      await waitFor(() => p.json().filter((e) => e.type === "stdout").length === 2, {
        timeout: 60_000,
        what: `two lines; stderr: ${p.stderr}`,
      });
      await onNode(c, "node002", `echo gamma >> ${f}`);
      await waitFor(() => p.json().filter((e) => e.type === "stdout").length === 3, {
        timeout: 30_000,
        what: "the appended line",
      });
      await p.stop();
      const lines = p.json().filter((e) => e.type === "stdout");
      assertEquals(lines.map((e) => e.content), ["alpha", "beta", "gamma"]);
      assert(lines.every((e) => e.source === "ssh"), "read over SSH");
      const after = (await Deno.readTextFile(log)).slice(before);
      assertMatch(
        after,
        new RegExp(`Accepted publickey for root from ${c.addrs[0].replaceAll(".", "\\.")}`),
      );
    } finally {
      await onNode(c, "node002", `rm -f ${f}`);
      await Deno.remove(h.dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "--job JOB.0 follows an srun step through sattach, stdout and stderr apart, until it ends",
  ignore: !ns,
  async fn() {
    const c = ns!;
    const go = `/tmp/go-${Date.now()}`;
    const id = await nsSbatch(
      c,
      ["-n", "2", "-w", "node001", "-o", "/dev/null"],
      `srun bash -c 'while [ ! -e ${go} ]; do sleep 0.1 || exit 3; done; for i in 1 2 3; do echo "out $SLURM_PROCID $i"; echo "err $SLURM_PROCID $i" >&2; sleep 0.3; done'`,
    );
    const h = await home(c, "");
    try {
      await waitFor(
        async () => (await nsRun(c, ["squeue", "-h", "-s", "-j", id])).stdout.includes(`${id}.0`),
        {
          timeout: 30_000,
          what: `step ${id}.0 running`,
        },
      );
      const p = new S9sProcess(
        [
          "stream",
          "--job",
          `${id}.0`,
          "-o",
          "json",
          "--events",
          "--config",
          `${h.dir}/config.yaml`,
        ],
        { env: h.env },
      );
      await waitFor(() => p.json().filter((e) => e.state === "live").length === 2, {
        timeout: 60_000,
        what: `both streams attached; stderr: ${p.stderr}`,
      });
      await onNode(c, "node001", `touch ${go}`);
      const st = await p.finished();
      assertEquals(st.code, 0, p.stderr);
      const evs = p.json();
      // sattach's "N: " label is the task field; content is the line the task wrote.
      const of = (t: string) =>
        evs.filter((e) => e.type === t).map((e) => `${e.task}|${e.content}`).sort();
      const want = (k: string) =>
        ["0", "1"].flatMap((t) => [1, 2, 3].map((i) => `${t}|${k} ${t} ${i}`));
      assertEquals(of("stdout"), want("out"));
      assertEquals(of("stderr"), want("err"));
      assert(evs.every((e) => e.source === "api"), "every event from the api source");
      for (const e of evs) assertEquals(validateEvent(e), [], JSON.stringify(e));
      assertEquals(
        evs.filter((e) => e.state === "ended").length,
        2,
        "both streams end with the step",
      );
    } finally {
      await nsRun(c, ["scancel", id]);
      await onNode(c, "node001", `rm -f ${go}`);
      await Deno.remove(h.dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "the api source refuses the batch step and a job without a step, with the fix",
  ignore: !ns,
  async fn() {
    const h = await home(ns!, "");
    try {
      const batch = await runS9s(["stream", "--job", "42.batch"], { env: h.env });
      assertEquals(batch.code, 2);
      assertMatch(batch.stderr, /^error: sattach cannot attach to the batch step of job 42$/m);
      assertMatch(batch.stderr, /^hint: .*--job 42$/m);
      const job = await runS9s(["stream", "--job", "42", "--source", "api"], { env: h.env });
      assertEquals(job.code, 2);
      assertMatch(job.stderr, /--source api follows a job step: "42" is a job/);
      const gone = await runS9s(["stream", "--job", "999999.0"], { env: h.env });
      assertEquals(gone.code, 1);
      assertMatch(gone.stderr, /^error: job step 999999\.0 is not running$/m);
    } finally {
      await Deno.remove(h.dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "--source file reads a shared file here, --source ssh reads the same file on BatchHost",
  ignore: !ns,
  async fn() {
    const c = ns!;
    const dir = await Deno.makeTempDir({ dir: "/var/tmp", prefix: "s9s-shared-" });
    const h = await home(
      c,
      `Host node*\n  User root\n  IdentityFile ${c.key}\n  UserKnownHostsFile ${c.knownHosts}\n`,
    );
    try {
      // /var/tmp is the same directory on the nodes (only /tmp is private there).
      const id = await nsSbatch(
        c,
        ["-w", "node002", "-o", `${dir}/job_%j.out`],
        "for i in 1 2 3; do echo shared $i; done",
      );
      await waitFor(async () => !(await nsRun(c, ["squeue", "-h", "-j", id])).stdout.trim(), {
        timeout: 30_000,
        what: `job ${id} to finish`,
      });
      for (const [mode, want] of [["file", "file"], ["ssh", "ssh"], ["auto", "file"]]) {
        const r = await runS9s(
          [
            "stream",
            "--job",
            id,
            "--source",
            mode,
            "--type",
            "stdout",
            "-o",
            "json",
            "--config",
            `${h.dir}/config.yaml`,
          ],
          { env: h.env },
        );
        assertEquals(r.code, 0, r.stderr);
        const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
        assertEquals(lines.map((e) => e.content), ["shared 1", "shared 2", "shared 3"], mode);
        assert(lines.every((e) => e.source === want), `--source ${mode}: ${r.stdout}`);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(h.dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "--node reads plain --path files on a node beside a --job read here, in one run",
  ignore: !ns,
  async fn() {
    const c = ns!;
    const shared = await Deno.makeTempDir({ dir: "/var/tmp", prefix: "s9s-shared-" });
    // A directory only node002 has (its /tmp is private): never checked on this host.
    const remote = `/tmp/s9s-mix-${Date.now()}`;
    const h = await home(
      c,
      `Host node*\n  User root\n  IdentityFile ${c.key}\n  UserKnownHostsFile ${c.knownHosts}\n`,
    );
    try {
      await onNode(
        c,
        "node002",
        `mkdir ${remote} && echo a1 > ${remote}/a.log && echo b1 > ${remote}/b.log`,
      );
      const id = await nsSbatch(c, ["-w", "node001", "-o", `${shared}/job_%j.out`], "echo job1");
      await waitFor(async () => !(await nsRun(c, ["squeue", "-h", "-j", id])).stdout.trim(), {
        timeout: 30_000,
        what: `job ${id} to finish`,
      });
      const r = await runS9s(
        [
          "stream",
          "--job",
          id,
          "--node",
          "node002",
          "--path",
          `${remote}/a.log`,
          "--path",
          `${remote}/b.log`,
          "--type",
          "stdout",
          "--no-follow",
          "-o",
          "json",
          "--config",
          `${h.dir}/config.yaml`,
        ],
        { env: h.env },
      );
      assertEquals(r.code, 0, r.stderr);
      const got = r.stdout.trim().split("\n").map((l) => JSON.parse(l))
        .map((e) => `${e.job_id} ${e.source} ${e.content}`).sort();
      assertEquals(got, [`${id} file job1`, "a.log ssh a1", "b.log ssh b1"].sort());
    } finally {
      await onNode(c, "node002", `rm -rf ${remote}`);
      await Deno.remove(shared, { recursive: true });
      await Deno.remove(h.dir, { recursive: true });
    }
  },
});
