/**
 * The guide's `streaming.slurm_api` snippet works as written against the real slurmrestd started
 * by scripts/slurm_cluster.sh: `enabled: true` with neither url nor socket reaches slurmrestd on
 * its default port, and the guide's output endpoint is reported as unused, not trusted.
 * Skipped unless S9S_TEST_SLURM=1.
 */
import { assertEquals, assertMatch } from "../_helpers/assert.ts";
import { runS9s, testEnv } from "../_helpers/cli.ts";
import { runSlurmCommand } from "../../src/cluster/slurm_command.ts";

const ENABLED = Deno.env.get("S9S_TEST_SLURM") === "1";

const GUIDE_SNIPPET = `streaming:
  slurm_api:
    enabled: true
    endpoint: "/slurm/v0.0.43/job/{job_id}/output"
    chunk_size: 4KB
`;

Deno.test({
  name: "the guide's slurm_api snippet (no url, no socket) lists jobs through slurmrestd",
  ignore: !ENABLED,
  async fn() {
    const home = await Deno.makeTempDir({ prefix: "s9s-api-" });
    try {
      const file = `${home}/config.yaml`;
      await Deno.writeTextFile(file, GUIDE_SNIPPET);
      const name = `s9s-guide-api-${Date.now().toString(36)}`;
      const sub = await runSlurmCommand("sbatch", [
        "--parsable",
        "-J",
        name,
        "-o",
        "/dev/null",
        "--hold",
        "--wrap",
        "true",
      ]);
      assertEquals(sub.code, 0, sub.stderr);
      const id = sub.stdout.trim().split(";")[0];
      try {
        const env = testEnv(home);
        const validate = await runS9s(["config", "validate", file], { env });
        assertEquals([validate.code, validate.stdout], [0, `ok: ${file} is valid\n`]);
        assertMatch(validate.stderr, /^warning: streaming\.slurm_api\.endpoint ".*" is not used/);
        // --cluster-api rest: slurmrestd or an error, never a quiet fall back to the commands.
        const jobs = await runS9s(
          ["--config", file, "--cluster-api", "rest", "jobs", "-o", "json"],
          { env },
        );
        assertEquals([jobs.code, jobs.stderr], [0, ""]);
        const listed = JSON.parse(jobs.stdout) as { job_id: string; name: string }[];
        assertEquals(listed.find((j) => j.job_id === id)?.name, name);
      } finally {
        await runSlurmCommand("scancel", [id]);
      }
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  },
});
