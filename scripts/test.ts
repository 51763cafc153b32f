/**
 * The test command: prepares what the integration tests need (as root: the single-node Slurm
 * cluster, tmux), runs `deno test`, and ends with a plain `N passed, N failed` line.
 *
 *   deno task test [deno test args…]
 *
 * S9S_TEST_NO_SETUP=1 skips the setup; CI=true makes a failed setup fatal.
 */

const root = new URL("..", import.meta.url).pathname;
const ci = (Deno.env.get("CI") ?? "") === "true";
const env: Record<string, string> = { NO_COLOR: "1" };

async function sh(
  cmd: string[],
  opts: { capture?: boolean } = {},
): Promise<{ code: number; out: string }> {
  const p = new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    cwd: root,
    stdout: opts.capture ? "piped" : "inherit",
    stderr: "inherit",
    stdin: "null",
  });
  const r = await p.output();
  return { code: r.code, out: opts.capture ? new TextDecoder().decode(r.stdout) : "" };
}

function isRoot(): boolean {
  try {
    return Deno.uid() === 0;
  } catch {
    return false;
  }
}

if (Deno.env.get("S9S_TEST_NO_SETUP") !== "1") {
  if (isRoot()) {
    console.log(
      "test: starting the single-node Slurm test cluster (scripts/slurm_cluster.sh start)",
    );
    const start = await sh(["bash", "scripts/slurm_cluster.sh", "start"]);
    if (start.code === 0) {
      const e = await sh(["bash", "scripts/slurm_cluster.sh", "env"], { capture: true });
      for (const line of e.out.split("\n")) {
        const m = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim());
        if (m) env[m[1]] = m[2].replace(/^["']|["']$/g, "");
      }
    } else if (ci) {
      console.error("test: the Slurm test cluster did not start");
      Deno.exit(1);
    } else {
      console.error(
        "test: the Slurm test cluster did not start; its integration tests will be skipped",
      );
    }
    for (
      const [name, script] of [
        ["the loopback SSH test node", "scripts/ssh_node.sh"],
        ["a private Prometheus", "scripts/prometheus.sh"],
        ["a private rsyslogd", "scripts/rsyslog.sh"],
      ]
    ) {
      console.log(`test: starting ${name} (${script} start)`);
      const r = await sh(["bash", script, "start"]);
      if (r.code === 0) {
        const e = await sh(["bash", script, "env"], { capture: true });
        for (const line of e.out.split("\n")) {
          const m = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim());
          if (m) env[m[1]] = m[2].replace(/^["']|["']$/g, "");
        }
      } else if (ci) {
        console.error(`test: ${name} did not start`);
        Deno.exit(1);
      } else {
        console.error(`test: ${name} did not start; its integration tests will be skipped`);
      }
    }
  } else {
    console.log(
      "test: not root, so no Slurm cluster or SSH node is started; those integration tests are skipped",
    );
  }
}

const args = Deno.args.length ? Deno.args : ["tests/"];
const child = new Deno.Command(Deno.execPath(), {
  args: ["test", "--allow-all", "--unsafe-proto", ...args],
  cwd: root,
  env: { ...Deno.env.toObject(), ...env },
  stdout: "piped",
  stderr: "inherit",
}).spawn();

// Pass the output through while watching for deno's summary line.
let passed = 0;
let failed = 0;
let tail = "";
const dec = new TextDecoder();
for await (const chunk of child.stdout) {
  await Deno.stdout.write(chunk);
  tail = (tail + dec.decode(chunk, { stream: true })).slice(-4096);
  const m = /(?:ok|FAILED) \| (\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed/.exec(tail);
  if (m) {
    passed = Number(m[1]);
    failed = Number(m[2]);
  }
}
const status = await child.status;
if (status.code !== 0 && failed === 0) failed = 1; // a crash or a type error before any test ran
console.log(`${passed} passed, ${failed} failed`);
Deno.exit(status.code === 0 ? 0 : 1);
