/**
 * The guide's `streaming.slurm_api` snippet works as written against the real slurmrestd started
 * by scripts/slurm_cluster.sh: `enabled: true` with neither url nor socket reaches slurmrestd on
 * its default port, and the guide's output endpoint is reported as unused, not trusted; the
 * snippet's chunk_size is the read size of the api source (sattach).
 * Skipped unless S9S_TEST_SLURM=1.
 */
import { assert, assertEquals, assertMatch, waitFor } from "../_helpers/assert.ts";
import { runS9s, testEnv } from "../_helpers/cli.ts";
import { runSlurmCommand } from "../../src/cluster/slurm_command.ts";
import { defaultRawConfig } from "../../src/config/defaults.ts";
import { configSchema } from "../../src/config/schema.ts";
import { SourceSelection } from "../../src/engine/source_selection.ts";
import { NO_DEBUG } from "../../src/core/debug_log.ts";

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

Deno.test({
  name: "slurm_api.chunk_size is the size of each read of a running step's output (api source)",
  ignore: !ENABLED,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "s9s-api-chunk-" });
    const sub = await runSlurmCommand("sbatch", [
      "--parsable",
      "-o",
      "/dev/null",
      "-D",
      dir,
      "--wrap",
      `srun -n 1 bash -c 'while [ ! -e ${dir}/STOP ]; do seq 1 2000 | sed s/^/line-/; sleep 0.2; done'`,
    ]);
    assertEquals(sub.code, 0, sub.stderr);
    const id = sub.stdout.trim().split(";")[0];
    const raw = defaultRawConfig() as { streaming: Record<string, unknown> };
    raw.streaming.persistence = { ...(raw.streaming.persistence as object), enabled: false };
    raw.streaming.slurm_api = { ...(raw.streaming.slurm_api as object), chunk_size: 512 };
    const selection = new SourceSelection({
      config: configSchema.parse(raw).streaming,
      debug: NO_DEBUG,
      progress: false,
    });
    const stop = new AbortController();
    try {
      await waitFor(async () => {
        const q = await runSlurmCommand("squeue", ["-h", "-s", "-j", id, "-o", "%i"]);
        return q.stdout.includes(`${id}.0`);
      }, { timeout: 120_000, interval: 200, what: `step ${id}.0 running` });
      const source = await selection.select({
        target: { kind: "step", jobId: id, step: "0" },
        label: "api",
        type: "stdout",
        follow: true,
        signal: stop.signal,
        status: () => {},
      });
      const spans: number[] = [];
      // What the source said, and how it ended: named if the bytes never come.
      const said: string[] = [];
      const run = source.run({
        batch: (b) => void spans.push(b.endOffset - b.startOffset),
        status: (st) => void said.push(`${st.state}: ${st.message ?? ""}`),
      }).then(() => said.push("ended"), (err) => said.push(`failed: ${err.message}`));
      await waitFor(() => {
        const got = spans.reduce((a, b) => a + b, 0);
        if (got > 50_000) return true;
        throw new Error(`${got} bytes so far; the source: ${said.join(" | ") || "nothing"}`);
      }, { timeout: 60_000, what: "50 KB through sattach" });
      await Deno.writeTextFile(`${dir}/STOP`, "");
      stop.abort();
      await run;
      // One read plus the end of a line the read before began ("0: line-2000" is 12 bytes).
      assert(Math.max(...spans) <= 512 + 16, `largest batch ${Math.max(...spans)} bytes`);
    } finally {
      stop.abort();
      selection.close();
      await runSlurmCommand("scancel", [id]);
      await Deno.remove(dir, { recursive: true });
    }
  },
});
