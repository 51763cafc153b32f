/**
 * The Stream Monitor's add-stream picker offers the running srun steps of running jobs, and a
 * picked step streams through sattach (the api source), against the real single-node Slurm
 * cluster (scripts/slurm_cluster.sh). Runs when S9S_TEST_SLURM=1.
 */
import { assert, assertMatch, waitFor } from "../_helpers/assert.ts";
import { withTmux } from "../_helpers/tmux.ts";
import { shOut } from "../_helpers/command.ts";

Deno.test({
  name: "TUI: + lists a running job's srun step (via sattach); picking it streams the step's I/O",
  ignore: Deno.env.get("S9S_TEST_SLURM") !== "1",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "s9s-tui-step-" });
    const go = `${dir}/go`;
    // The job's files go nowhere: what the pane shows can only come from sattach.
    const id = (await shOut([
      "sbatch",
      "--parsable",
      "-J",
      "s9s_tui_step",
      "-o",
      "/dev/null",
      "-D",
      "/",
      "--wrap",
      `srun -n 1 -J steptask bash -c 'while [ ! -e ${go} ]; do sleep 0.1; done; ` +
      `for i in 1 2 3; do echo "step out $i"; echo "step err $i" >&2; sleep 0.2; done'`,
    ])).trim().split(";")[0];
    try {
      await waitFor(
        async () => (await shOut(["squeue", "-h", "-s", "-j", id, "-o", "%i"])).includes(`${id}.0`),
        { timeout: 30_000, interval: 100, what: `step ${id}.0 to start` },
      );
      await withTmux({ args: [] }, async (t) => {
        await t.waitFor((s) => s.includes(id) && s.includes("s9s_tui_step"), { timeout: 20_000 });
        await t.keys("/");
        await t.type(id);
        await t.keys("Enter");
        await t.keys("C-s");
        await t.waitFor("No streams yet");
        await t.keys("+");
        const picker = await t.waitFor(`${id}.0 (step, via sattach)`);
        // Rows: the typed-id row, the job, its step.
        assertMatch(picker, new RegExp(`${id}\\s+s9s_tui_step\\s+RUNNING`));
        assertMatch(picker, new RegExp(`${id}\\.0 \\(step, via sattach\\) steptask`));
        assert(!picker.includes(`${id}.batch`), "the batch step is not offered");
        await t.keys("Down", "Down");
        await t.waitFor(`> ${id}.0 (step, via sattach)`);
        await t.keys("Enter");
        await t.waitFor(`Step ${id}.0: which output?`);
        await t.keys("Down", "Down"); // both
        await t.keys("Enter");
        await t.waitFor(
          (s) => s.includes(`Job ${id}.0 [STDOUT] live`) && s.includes(`Job ${id}.0 [STDERR] live`),
          { timeout: 20_000 },
        );
        await Deno.writeTextFile(go, "");
        // Text shows sattach's task label, as `s9s stream` does; each output in its own pane.
        const screen = await t.waitFor(
          (s) => s.includes("0: step out 3") && s.includes("0: step err 3"),
          { timeout: 20_000 },
        );
        assertApart(screen, `Job ${id}.0 [STDOUT]`, `Job ${id}.0 [STDERR]`);
        // The step ends, and with it both streams.
        await t.waitFor(
          (s) =>
            s.includes(`Job ${id}.0 [STDOUT] ended`) && s.includes(`Job ${id}.0 [STDERR] ended`),
          { timeout: 20_000 },
        );
        await t.keys("C-c");
        await t.waitFor("S9S_EXITED code=0");
      });
    } finally {
      await shOut(["scancel", id]).catch(() => {});
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** Every "step out" line is in the stdout pane and every "step err" line in the stderr pane. */
function assertApart(screen: string, outTitle: string, errTitle: string): void {
  const rows = screen.split("\n");
  const at = (text: string) => {
    const row = rows.findIndex((r) => r.includes(text));
    return { row, col: rows[row]?.indexOf(text) ?? -1 };
  };
  const out = at(outTitle), err = at(errTitle);
  assert(out.row >= 0 && err.row >= 0, screen);
  // Which pane a screen cell belongs to: side by side (same title row) or one above the other.
  const inErr = (row: number, col: number) =>
    out.row === err.row ? col >= err.col - 2 : row >= err.row;
  rows.forEach((r, row) => {
    for (const m of r.matchAll(/step (out|err) \d/g)) {
      assert(inErr(row, m.index!) === (m[1] === "err"), `"${m[0]}" in the wrong pane:\n${screen}`);
    }
  });
}
