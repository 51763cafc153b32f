/**
 * `s9s doctor` against the real services: a healthy setup (Slurm, slurmrestd, a job whose output
 * is readable here, a node reachable over both SSH transports) exits 0; each broken one — a dead
 * slurmrestd socket, an unreadable output directory, a node that refuses SSH, a low inotify
 * limit — gets ✘, its hint, and exit 1.
 */
import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
  waitFor,
} from "../_helpers/assert.ts";
import { runS9s, s9sArgv, testEnv } from "../_helpers/cli.ts";
import { sh } from "../_helpers/command.ts";
import { tempHome } from "../_helpers/temp_dir.ts";
import { enabled as hostbasedEnabled, env } from "../_helpers/hostbased_node.ts";
import { TEST_USER } from "../_helpers/test_user.ts";

/** Root, with Slurm, the loopback SSH node and the host-based node running. */
const enabled = hostbasedEnabled && env("S9S_TEST_SLURM") === "1";

interface Row {
  name: string;
  status: "ok" | "fail" | "skip";
  detail: string;
  hint?: string;
}

/** A private home whose config reaches the key-based SSH node and slurmrestd (or what `extra` says). */
async function home(
  extra: (home: string) => string[] = () => [],
): Promise<{ home: string; cfg: string }> {
  const { home } = await tempHome("s9s-doctor-");
  const cfg = `${home}/config.yaml`;
  await Deno.writeTextFile(
    cfg,
    [
      "streaming:",
      "  ssh:",
      `    port: ${env("S9S_TEST_SSH_PORT")}`,
      `    key_file: ${env("S9S_TEST_SSH_KEY")}`,
      `    known_hosts: ${env("S9S_TEST_SSH_KNOWN_HOSTS")}`,
      "    user: root",
      "    timeout: 5s",
      ...extra(home),
      "",
    ].join("\n"),
  );
  return { home, cfg };
}

function rows(stdout: string): Row[] {
  return (JSON.parse(stdout) as { checks: Row[] }).checks;
}

function row(all: Row[], name: string | RegExp): Row {
  const r = all.find((c) => (typeof name === "string" ? c.name === name : name.test(c.name)));
  assert(r, `a "${name}" row in ${JSON.stringify(all)}`);
  return r;
}

/** A job that prints one line into `dir` and ends; resolves once its output is there. */
async function finishedJob(dir: string): Promise<string> {
  const sub = await sh(["sbatch", "--parsable", "-o", `${dir}/job-%j.out`, "--wrap", "echo hello"]);
  assertEquals(sub.code, 0, sub.stderr);
  const id = sub.stdout.trim().split(";")[0];
  await waitFor(async () => (await sh(["ls", `${dir}/job-${id}.out`])).code === 0, {
    timeout: 300_000, // the shared cluster's 2 CPUs may be busy with others' jobs
    what: `job ${id}'s output`,
  });
  return id;
}

Deno.test({
  name: "doctor passes a healthy setup: Slurm, slurmrestd, the job's output, both SSH transports",
  ignore: !enabled,
  async fn() {
    const h = await home((home) => [
      "  slurm_api:",
      "    enabled: true",
      `    url: ${env("S9S_TEST_SLURMRESTD_URL")}`,
      "  persistence:",
      `    directory: ${home}/hist`,
    ]);
    const dir = await Deno.makeTempDir({ prefix: "s9s-doctor-job-" });
    const id = await finishedJob(dir);
    const r = await runS9s([
      "--config",
      h.cfg,
      "doctor",
      "--job",
      id,
      "--node",
      "127.0.0.1",
      "-o",
      "json",
    ], {
      env: testEnv(h.home),
    });
    assertEquals(r.code, 0, r.stdout + r.stderr);
    assertEquals(r.stderr, "");
    const all = rows(r.stdout);
    assert(all.every((c) => c.status !== "fail"), r.stdout);
    assertMatch(row(all, "Slurm commands").detail, /^slurm(-wlm)? \d+\.\d+/);
    assertMatch(row(all, "slurmrestd").detail, /reachable, authenticated \(v0\.0\.\d+\)$/);
    assertMatch(row(all, "MinJobAge").detail, /^finished jobs stay visible for \d+/);
    assertEquals(row(all, "stdout path").detail, `${dir}/job-${id}.out: readable here`);
    assertEquals(row(all, "ssh 127.0.0.1 (openssh)").status, "ok");
    assertEquals(row(all, "ssh 127.0.0.1 (builtin)").status, "ok");
    // The limits come from the real /proc.
    const watches = (await Deno.readTextFile("/proc/sys/fs/inotify/max_user_watches")).trim();
    assertStringIncludes(row(all, "inotify limits").detail, `max_user_watches ${watches},`);
    assertEquals(row(all, "history directory").status, "ok");

    // The same as a table.
    const t = await runS9s(["--config", h.cfg, "doctor"], { env: testEnv(h.home) });
    assertEquals(t.code, 0, t.stdout + t.stderr);
    assertMatch(t.stdout, /^✔ Slurm commands +slurm/m);
    assertMatch(t.stdout, /^✔ slurmrestd +http:\/\/.*: reachable, authenticated/m);
    // Without --node or --job no node is tried, and the table says so.
    assertMatch(t.stdout, /^– SSH to nodes +not checked: add --node NAME, or --job ID/m);
    assertMatch(t.stdout, /\nall checks passed\n$/);
  },
});

Deno.test({
  name: "doctor marks a dead slurmrestd, a node that refuses SSH and a low inotify limit",
  ignore: !enabled,
  async fn() {
    const h = await home(() => [
      "  slurm_api:",
      "    enabled: true",
      "    socket: /nonexistent/slurmrestd.sock",
    ]);
    // The host-based-only node refuses both: the system ssh has no host-based config here, and
    // the built-in client never can.
    await Deno.writeTextFile(
      h.cfg,
      (await Deno.readTextFile(h.cfg)).replace(/port: \d+/, `port: ${env("S9S_TEST_HB_PORT")}`)
        .replace("user: root", "user: s9shb")
        .replace(/known_hosts: .*/, `known_hosts: ${env("S9S_TEST_HB_DIR")}/known_hosts`),
    );
    const sys = await Deno.makeTempDir({ prefix: "s9s-doctor-proc-" });
    await Deno.mkdir(`${sys}/fs/inotify`, { recursive: true });
    await Deno.writeTextFile(`${sys}/fs/inotify/max_user_watches`, "10\n");
    await Deno.writeTextFile(`${sys}/fs/inotify/max_user_instances`, "128\n");
    const r = await runS9s(["--config", h.cfg, "doctor", "--node", "127.0.0.1"], {
      env: testEnv(h.home, { S9S_DOCTOR_PROC_SYS: sys }),
    });
    assertEquals(r.code, 1, r.stdout + r.stderr);
    assertEquals(r.stderr, "");
    assertMatch(
      r.stdout,
      /^✘ slurmrestd +cannot reach slurmrestd at unix:\/nonexistent\/slurmrestd\.sock.*\n +hint: check streaming\.slurm_api\.socket/m,
    );
    assertMatch(
      r.stdout,
      /^✘ ssh 127\.0\.0\.1 \(openssh\) +ssh to "127\.0\.0\.1" failed: Permission denied \(hostbased\)\n +hint: .*BatchMode=yes/m,
    );
    assertMatch(
      r.stdout,
      /^✘ ssh 127\.0\.0\.1 \(builtin\) +SSH authentication to "s9shb@127\.0\.0\.1" failed\n +hint: .*--ssh-transport openssh/m,
    );
    assertMatch(
      r.stdout,
      /^✘ inotify limits +max_user_watches 10, max_user_instances 128; streaming\.max_concurrent_streams 20\n +hint: raise them/m,
    );
    assertMatch(r.stdout, /\n4 checks failed\n$/);
  },
});

Deno.test({
  name: "doctor marks a job's output in a directory this user cannot read",
  ignore: !enabled,
  async fn() {
    const h = await home();
    const dir = await Deno.makeTempDir({ prefix: "s9s-doctor-private-" });
    const id = await finishedJob(dir);
    await sh(["chown", "-R", TEST_USER, dir]);
    await Deno.chmod(dir, 0o700);
    // root without the capabilities that bypass file permissions: like any user but the owner.
    const out = await new Deno.Command("setpriv", {
      args: [
        "--bounding-set=-dac_override,-dac_read_search",
        ...s9sArgv(),
        "--config",
        h.cfg,
        "doctor",
        "--job",
        id,
      ],
      env: testEnv(h.home),
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    assertEquals(out.code, 1, stdout + new TextDecoder().decode(out.stderr));
    assertMatch(
      stdout,
      new RegExp(
        `^✘ stdout path +${dir}/job-${id}\\.out: permission denied\\n +hint: s9s reads job output with your permissions`,
        "m",
      ),
    );
  },
});
