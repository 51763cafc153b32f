/**
 * A node that cannot be reached at all fails at once with the reason, instead of retry_attempts
 * tries of `streaming.ssh.timeout` each: a port nobody listens on (the kernel refuses) and a
 * name that does not resolve (`.invalid` never does). stdout, stderr, exit code; NO_COLOR=1.
 * With the built-in client, whose words these are.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { runS9s, testEnv } from "../_helpers/cli.ts";
import { closedPort } from "../_helpers/net.ts";

Deno.test("stream --node: a refused or unresolvable node fails at once with the reason, exit 1", async () => {
  const dir = await Deno.makeTempDir({ prefix: "s9s-ssh-refused-" });
  try {
    const port = closedPort();
    const cfg = `${dir}/c.yaml`;
    // The defaults that made it take 61 s: 3 attempts of 30 s.
    // The built-in client's words (openssh's: tests/integration/openssh_transport_test.ts).
    await Deno.writeTextFile(
      cfg,
      `streaming:\n  ssh:\n    transport: builtin\n    port: ${port}\n    timeout: 30s\n`,
    );
    for (
      const [host, reason] of [
        [
          "127.0.0.1",
          `cannot connect to "127.0.0.1" (127.0.0.1:${port}) over SSH: connect ECONNREFUSED 127.0.0.1:${port}`,
        ],
        [
          "no-such-node.invalid",
          `cannot connect to "no-such-node.invalid" (no-such-node.invalid:${port}) over SSH: getaddrinfo ENOTFOUND no-such-node.invalid`,
        ],
      ]
    ) {
      const t0 = Date.now();
      const r = await runS9s(
        ["--config", cfg, "stream", "--node", host, "--path", "/tmp/never.log"],
        { env: testEnv(`${dir}/home`) },
      );
      const took = Date.now() - t0;
      assertEquals([r.code, r.stdout, r.stderr], [
        1,
        "",
        `s9s: connecting to ${host}\nerror: ${reason}\n` +
        `hint: test it with \`ssh -o ConnectTimeout=10 ${host} true\`\n`,
      ]);
      assert(took < 10_000, `${host}: answered in ${took} ms`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "stream --job N --path on a node that refuses SSH says what it waits for and ends with the job",
  ignore: Deno.env.get("S9S_TEST_SLURM") !== "1",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "s9s-ssh-refused-job-" });
    const sbatch = await new Deno.Command("sbatch", {
      args: ["--parsable", "-o", "/dev/null", "--wrap", "sleep 3"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const id = new TextDecoder().decode(sbatch.stdout).trim().split(";")[0];
    assert(sbatch.success && id, new TextDecoder().decode(sbatch.stderr));
    try {
      const cfg = `${dir}/c.yaml`;
      await Deno.writeTextFile(
        cfg,
        `streaming:\n  ssh:\n    transport: builtin\n    port: ${closedPort()}\n`,
      );
      // /custom is on neither host: not visible here, and the job's node refuses SSH.
      const r = await runS9s(
        ["--config", cfg, "stream", "--job", id, "--path", "/custom/%j.log"],
        { env: testEnv(`${dir}/home`) },
      );
      assertEquals([r.code, r.stdout], [0, ""], r.stderr);
      const said = r.stderr.split("\n");
      assert(
        said.some((l) =>
          l.startsWith(`s9s: "/custom/${id}.log" is not visible here and `) &&
          l.includes("ECONNREFUSED") && l.endsWith("waiting for the file to appear here")
        ),
        r.stderr,
      );
      assert(said.includes(`s9s: job ${id} is COMPLETED`), r.stderr);
    } finally {
      await new Deno.Command("scancel", { args: [id] }).output().catch(() => {});
      await Deno.remove(dir, { recursive: true });
    }
  },
});
