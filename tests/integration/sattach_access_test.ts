/**
 * The api source where Slurm does not let the user attach: s9s run as another user
 * (S9S_TEST_SLURM_USER, default "s9stest") on root's running srun step fails with a clear
 * error and exit 1 (sattach itself only says "no tasks running" and exits 0). Against the real
 * single-node Slurm cluster (scripts/slurm_cluster.sh); runs when S9S_TEST_SLURM=1, as root.
 */
import { assert, assertEquals, assertMatch, waitFor } from "../_helpers/assert.ts";
import { sh, shOut } from "../_helpers/command.ts";
import { TEST_USER as USER, testUserArgs, testUserDenoDir } from "../_helpers/test_user.ts";

Deno.test({
  name: "api source: another user's step is refused with a clear error and exit 1",
  ignore: Deno.env.get("S9S_TEST_SLURM") !== "1" || Deno.uid() !== 0,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "s9s-sattach-user-" });
    const id = (await shOut([
      "sbatch",
      "--parsable",
      "-o",
      "/dev/null",
      "-D",
      "/",
      "--wrap",
      "srun -n 1 sleep 300",
    ])).trim().split(";")[0];
    try {
      // The other user runs s9s with a copy of the module cache it can read.
      const denoDir = await testUserDenoDir(dir, [dir]);
      await waitFor(
        async () => (await shOut(["squeue", "-h", "-s", "-j", id, "-o", "%i"])).includes(`${id}.0`),
        { timeout: 30_000, interval: 100, what: `step ${id}.0 to start` },
      );
      const u = await sh([
        "runuser",
        ...await testUserArgs(
          { HOME: dir, S9S_HOME: dir, DENO_DIR: denoDir, NO_COLOR: "1" },
          ["stream", "--job", `${id}.0`],
        ),
      ], { cwd: dir }); // a directory the test user may enter (a clone may sit in a 0700 one)
      const r = { code: u.code, out: u.stdout + u.stderr };
      assertEquals(r.code, 1, r.out);
      assertMatch(
        r.out,
        new RegExp(
          `^error: Slurm does not let "${USER}" attach to step ${id}\\.0, which belongs to "root"$`,
          "m",
        ),
      );
      assertMatch(r.out, /^hint: only the step's owner \(and root\) may use sattach/m);
      assert(!/^\s+at /m.test(r.out), `no stack trace:\n${r.out}`);
    } finally {
      await sh(["scancel", id]);
      await Deno.remove(dir, { recursive: true });
    }
  },
});
