/**
 * `s9s stream` mixing a real Slurm job with plain files, against the single-node cluster of
 * scripts/slurm_cluster.sh. Skipped unless S9S_TEST_SLURM=1 (`deno task test` sets it as root).
 */
import { assertEquals, waitFor } from "../_helpers/assert.ts";
import { runS9s, testEnv } from "../_helpers/cli.ts";
import { shOut } from "../_helpers/command.ts";

const ENABLED = Deno.env.get("S9S_TEST_SLURM") === "1";

Deno.test({
  name: "stream --job with several --path: a real job and files together, --exit-code from the job",
  ignore: !ENABLED,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "s9s-slurm-mix-" });
    await Deno.chmod(dir, 0o755);
    let id = "";
    try {
      await Deno.writeTextFile(`${dir}/app.log`, "app started\n");
      await Deno.writeTextFile(`${dir}/db.log`, "db ready\n");
      id = (await shOut([
        "sbatch",
        "--parsable",
        "--chdir",
        dir,
        "--output",
        `${dir}/job-%j.out`,
        "--wrap",
        "echo job line 1; echo job line 2; exit 3",
      ])).trim().split(";")[0];
      await waitFor(async () => {
        const state = /JobState=(\S+)/.exec(await shOut(["scontrol", "show", "job", "-o", id]))
          ?.[1];
        return state === "COMPLETED" || state === "FAILED";
      }, { timeout: 60_000, interval: 200, what: `job ${id} to end` });
      const home = `${dir}/home`;
      await Deno.mkdir(home);
      const r = await runS9s([
        "stream",
        "--job",
        id,
        "--path",
        `${dir}/app.log`,
        "--path",
        `${dir}/db.log`,
        "--no-follow",
        "--exit-code",
        "-q",
      ], { env: testEnv(home, { PATH: Deno.env.get("PATH") ?? "" }), cwd: dir });
      assertEquals(r.stderr, "");
      assertEquals(r.stdout.split("\n").filter(Boolean).sort(), [
        `[${id}:stdout] job line 1`,
        `[${id}:stdout] job line 2`,
        "[app.log:stdout] app started",
        "[db.log:stdout] db ready",
      ]);
      assertEquals(r.code, 3);
    } finally {
      if (id) await shOut(["scancel", id]).catch(() => {});
      await Deno.remove(dir, { recursive: true });
    }
  },
});
