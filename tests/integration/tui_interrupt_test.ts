/**
 * Ctrl+C in the terminal UI quits whatever a pattern does, also one V8's linear engine cannot
 * take (a back-reference) that keeps the UI busy for hours.
 * @module
 */
import { addStream, withTmux } from "../_helpers/tmux.ts";
import { waitFor } from "../_helpers/assert.ts";
import { taskV8Flags } from "../_helpers/cli.ts";

const EVIL = "a".repeat(40) + "b";

/** The mock job 1001's output file, held open by one of the pane's processes. */
function mockOutput(pids: number[]): string | undefined {
  for (const pid of pids) {
    try {
      for (const e of Deno.readDirSync(`/proc/${pid}/fd`)) {
        const target = Deno.readLinkSync(`/proc/${pid}/fd/${e.name}`);
        if (target.includes("/s9s-mock-") && /1001[^/]*\.out$/.test(target)) return target;
      }
    } catch { /* gone or closed meanwhile */ }
  }
  return undefined;
}

Deno.test("TUI: Ctrl+C quits while a search with a back-reference keeps the UI busy", async () => {
  await withTmux({ env: { DENO_V8_FLAGS: taskV8Flags() } }, async (t) => {
    await t.waitFor("train_model");
    const panePid = await t.display("#{pane_pid}");
    const kids = new TextDecoder().decode(
      (await new Deno.Command("pgrep", { args: ["-P", panePid], stdout: "piped" }).output())
        .stdout,
    ).trim().split("\n").map(Number);
    const out = await waitFor(() => mockOutput(kids), { what: "the mock job 1001's output file" });
    await t.keys("C-s");
    await t.waitFor("Stream Monitor");
    await addStream(t, "1001", 0);
    await Deno.writeTextFile(out, `${EVIL}\n`.repeat(5) + "needle\n", { append: true });
    await t.waitFor("needle");
    await t.keys("/");
    await t.waitFor("Search (regex");
    // A back-reference: the linear engine refuses it, so this runs for hours on the a-lines.
    await t.type("^(a+)+\\1$");
    await t.keys("Enter");
    await waitFor(async () => {
      for (const k of kids) {
        const stat = await Deno.readTextFile(`/proc/${k}/stat`).catch(() => "");
        const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        if (Number(f[11]) > 150) return true; // 1.5 s of CPU: inside the regex
      }
      return false;
    }, { timeout: 20_000, what: "the UI busy in the search" });
    await t.keys("C-c");
    // Ended within a few seconds, with the terminal back in cooked mode.
    await t.waitFor("S9S_EXITED code=130 tty=icanon", { timeout: 3000 });
  });
});
