/**
 * Node-local output: a real Slurm job writes to a directory this process cannot see (hidden by a
 * private mount namespace), so s9s follows it over SSH on the job's BatchHost.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { MAIN, ROOT } from "../_helpers/cli.ts";
import { sh } from "../_helpers/command.ts";

const enabled = Deno.env.get("S9S_TEST_SLURM") === "1" && Deno.env.get("S9S_TEST_SSH") === "1" &&
  Deno.uid() === 0;

Deno.test({
  name: "stream follows node-local job output over SSH when this host cannot see the file",
  ignore: !enabled,
  async fn() {
    const local = await Deno.makeTempDir({ dir: "/tmp", prefix: "s9s-nodelocal-" });
    const home = await Deno.makeTempDir({ prefix: "s9s-home-" });
    const cfg = `${home}/config.yaml`;
    await Deno.writeTextFile(
      cfg,
      [
        "streaming:",
        "  ssh:",
        `    port: ${Deno.env.get("S9S_TEST_SSH_PORT")}`,
        `    key_file: ${Deno.env.get("S9S_TEST_SSH_KEY")}`,
        `    known_hosts: ${Deno.env.get("S9S_TEST_SSH_KNOWN_HOSTS")}`,
        "    user: root",
        "  persistence:",
        "    enabled: false",
        "",
      ].join("\n"),
    );
    const go = `${local}/go`;
    const script =
      `#!/bin/bash\nwhile [ ! -e ${go} ]; do sleep 0.1; done\nfor i in $(seq 1 200); do echo "node line $i"; done\necho "last"\n`;
    const sub = await sh(["sbatch", "--parsable", "-o", `${local}/job-%j.out`, "--wrap", script]);
    assertEquals(sub.code, 0, sub.stderr);
    const jobId = sub.stdout.trim().split(";")[0];
    try {
      // s9s runs in a mount namespace where the job's directory is an empty tmpfs.
      const inner =
        `mount -t tmpfs tmpfs ${local} && exec ${Deno.execPath()} run -A ${MAIN} stream --job ${jobId} --type stdout -o json --config ${cfg} --events`;
      const child = new Deno.Command("unshare", {
        args: ["-m", "sh", "-c", inner],
        cwd: ROOT,
        env: { NO_COLOR: "1", S9S_HOME: home },
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      // Release the job only once s9s is following it.
      const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let out = "";
      const deadline = Date.now() + 60_000;
      while (!/"state":"live"/.test(out) && Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) break;
        out += value;
      }
      await Deno.writeTextFile(go, "");
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        out += value;
      }
      const status = await child.status;
      const stderr = new TextDecoder().decode(await new Response(child.stderr).arrayBuffer());
      assertEquals(status.code, 0, stderr + out.slice(-2000));
      const evs = out.trim().split("\n").map((l) => JSON.parse(l));
      const lines = evs.filter((e) => e.type === "stdout");
      assertEquals(lines.length, 201, out.slice(-1000));
      assert(lines.every((e) => e.source === "ssh"), "read over SSH");
      assertEquals(lines.map((e) => e.line_num), lines.map((_, i) => i + 1));
      assertEquals(lines[0].content, "node line 1");
      assertEquals(lines[200].content, "last");
    } finally {
      await sh(["scancel", jobId]);
      await Deno.remove(local, { recursive: true });
      await Deno.remove(home, { recursive: true });
    }
  },
});
