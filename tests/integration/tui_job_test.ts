/**
 * `s9s --job N` on the real single-node Slurm: a job of one task starts in its output view; a
 * job of two tasks starts in the Stream Monitor with a pane per task (its `srun --label` lines
 * split), and `--path` with `%t` gives a pane per task file. Runs when S9S_TEST_SLURM=1.
 */
import { assert, assertStringIncludes } from "../_helpers/assert.ts";
import { withTmux } from "../_helpers/tmux.ts";
import { shOut } from "../_helpers/command.ts";

const ENABLED = Deno.env.get("S9S_TEST_SLURM") === "1";

/**
 * Run `fn` with a fresh job directory and an `sbatch` that submits there (resolving with the job
 * id); the jobs it submitted are cancelled and the directory removed afterwards, whatever happens.
 */
async function withJobs(
  prefix: string,
  fn: (sbatch: (args: string[]) => Promise<string>) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ dir: "/tmp", prefix });
  await Deno.chmod(dir, 0o755);
  const ids: string[] = [];
  try {
    await fn(async (args) => {
      const id = (await shOut(["sbatch", "--parsable", "-D", dir, ...args])).trim();
      ids.push(id);
      return id;
    });
  } finally {
    if (ids.length) await shOut(["scancel", ...ids]).catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

Deno.test({
  name: "s9s --job starts in a job's output, or by task in the Stream Monitor for a 2-task job",
  ignore: !ENABLED,
  async fn() {
    await withJobs("s9s-it-tui-job-", async (sbatch) => {
      const one = await sbatch(["-J", "s9s_one", "--wrap", "echo only-line"]);
      const labelled = await sbatch([
        "-n",
        "2",
        "--wrap",
        `srun --label bash -c 'echo "rank-$SLURM_PROCID says hi"'; echo batch-after`,
      ]);
      const files = await sbatch([
        "-n",
        "2",
        "-o",
        "/dev/null",
        "--wrap",
        `srun -o out-%j-%t.txt bash -c 'echo "file of $SLURM_PROCID"'`,
      ]);
      await withTmux({ args: ["--job", one] }, async (t) => {
        const screen = await t.waitFor("only-line", { timeout: 120_000 });
        assertStringIncludes(screen, `Job ${one} s9s_one [STDOUT]`);
        await t.keys("C-c");
        await t.waitFor("S9S_EXITED");
      });
      await withTmux({ args: ["--job", labelled] }, async (t) => {
        const screen = await t.waitFor(
          (s) =>
            s.includes("rank-0 says hi") && s.includes("rank-1 says hi") &&
            s.includes("batch-after"),
          { timeout: 120_000 },
        );
        assertStringIncludes(screen, "Stream Monitor");
        assertStringIncludes(screen, `Job ${labelled} task 0 [STDOUT]`);
        assertStringIncludes(screen, `Job ${labelled} task 1 [STDOUT]`);
        // Each task's pane holds its own line, without sattach's/srun's label.
        assert(!/\d: rank-/.test(screen), `labels taken off:\n${screen}`);
        await t.keys("C-c");
        await t.waitFor("S9S_EXITED");
      });
      await withTmux({ args: ["--job", files, "--path", "out-%j-%t.txt"] }, async (t) => {
        const screen = await t.waitFor(
          (s) => s.includes("file of 0") && s.includes("file of 1"),
          { timeout: 120_000 },
        );
        assertStringIncludes(screen, `Job ${files} task 0 [STDOUT]`);
        assertStringIncludes(screen, `Job ${files} task 1 [STDOUT]`);
        assert(!screen.includes(`Job ${files} [STDOUT]`), `no pane for the job itself:\n${screen}`);
        await t.keys("C-c");
        await t.waitFor("S9S_EXITED");
      });
    });
  },
});

Deno.test({
  name: "the add-stream picker lines up a held array's record (123_[1-40%4]) with the other jobs",
  ignore: !ENABLED,
  async fn() {
    await withJobs("s9s-it-tui-pick-", async (sbatch) => {
      const array = await sbatch([
        "--hold",
        "--array=1-40%4",
        "-J",
        "s9s_pick_arr",
        "--wrap",
        "true",
      ]);
      await sbatch(["--hold", "-J", "s9s_pick_one", "--wrap", "true"]);
      await withTmux({ args: [] }, async (t) => {
        await t.waitFor("s9s_pick_arr", { timeout: 30_000 });
        await t.keys("C-s");
        await t.waitFor("No streams yet");
        await t.keys("+");
        const screen = await t.waitFor("Add stream: pick a job");
        const rows = screen.split("\n");
        const row = (name: string) => rows.find((r) => r.includes(name)) ?? "";
        const arr = row("s9s_pick_arr");
        const one = row("s9s_pick_one");
        assertStringIncludes(arr, `${array}_[1-40%4]`);
        // The name and the state start in the same columns on both rows.
        for (const col of ["s9s_pick_", "PENDING"]) {
          assert(
            arr.indexOf(col) > 0 && arr.indexOf(col) === one.indexOf(col),
            `"${col}" lined up:\n${arr}\n${one}`,
          );
        }
        await t.keys("Escape");
        await t.keys("C-c");
        await t.waitFor("S9S_EXITED");
      });
    });
  },
});
