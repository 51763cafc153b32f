/**
 * The terminal UI against the real single-node Slurm cluster (scripts/slurm_cluster.sh):
 * a submitted job shows in the jobs list and its output streams into the output view (`o`, then
 * `s`, as a new user is told to).
 * Runs when S9S_TEST_SLURM=1.
 */
import { assertStringIncludes } from "../_helpers/assert.ts";
import { withTmux } from "../_helpers/tmux.ts";
import { shOut } from "../_helpers/command.ts";

Deno.test({
  name: "TUI against real Slurm: the jobs list shows a submitted job; o, then s, streams its lines",
  ignore: Deno.env.get("S9S_TEST_SLURM") !== "1",
  async fn() {
    const id = (await shOut([
      "sbatch",
      "--parsable",
      "-J",
      "s9s_tui_test",
      "-o",
      "/tmp/s9s-tui-%j.out",
      "--wrap",
      "for i in $(seq 1 200); do echo line $i; sleep 0.2; done",
    ])).trim().split(";")[0];
    try {
      await withTmux({ args: [] }, async (t) => {
        await t.waitFor((s) => s.includes(id) && s.includes("s9s_tui_test"), { timeout: 20_000 });
        await t.keys("/");
        await t.type(id);
        await t.keys("Enter");
        await t.waitFor(`/${id}/`);
        await t.keys("o");
        // It opens streaming, as tail -f does.
        await t.waitFor(`Job ${id} s9s_tui_test [STDOUT]`);
        await t.waitFor(/line (\d+)/, { timeout: 20_000 });
        // "Press o to view the output, then s to start streaming."
        await t.keys("s");
        const first = await t.waitFor("s again stops");
        const last = Math.max(...[...first.matchAll(/line (\d+)/g)].map((m) => Number(m[1])));
        const later = await t.waitFor(
          (s) => Math.max(...[...s.matchAll(/line (\d+)/g)].map((m) => Number(m[1]))) >= last + 3,
          { timeout: 20_000 },
        );
        assertStringIncludes(later, "● LIVE");
        await t.keys("C-c");
        assertStringIncludes(await t.waitFor("S9S_EXITED"), "code=0");
      });
    } finally {
      await shOut(["scancel", id]).catch(() => {});
      await Deno.remove(`/tmp/s9s-tui-${id}.out`).catch(() => {});
    }
  },
});
