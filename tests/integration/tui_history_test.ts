/**
 * Streams watched in the TUI are saved to the history directory when persistence is on (the
 * default), as `s9s stream` saves them, and `s9s history` finds them; off means nothing saved.
 * Real tmux, real history files.
 */
import { assert, assertEquals, assertStringIncludes } from "../_helpers/assert.ts";
import { denoCacheDir, runS9s } from "../_helpers/cli.ts";
import { addStream, type TmuxSession, withTmux } from "../_helpers/tmux.ts";

const steps = (text: string) => [...text.matchAll(/step=(\d+)/g)].map((m) => Number(m[1]));

/** `s9s …` with the session's HOME (so the same ~/.s9s) and the usual package cache. */
function s9s(t: TmuxSession, args: string[]) {
  const denoDir = denoCacheDir();
  return runS9s(args, { env: { HOME: t.home, DENO_DIR: denoDir, NO_COLOR: "1" } });
}

/** Watch job 1001's stdout in the monitor until it shows some steps, then quit. */
async function watchAndQuit(t: TmuxSession): Promise<number> {
  await t.waitFor("train_model");
  await t.keys("C-s");
  await t.waitFor("Streams: 0");
  await addStream(t, "1001", 0);
  const s = await t.waitFor((x) => steps(x).length >= 3, { timeout: 15_000 });
  await t.keys("C-c");
  assertStringIncludes(await t.waitFor("S9S_EXITED"), "code=0 tty=icanon");
  return Math.max(...steps(s));
}

Deno.test("TUI streams appear in `s9s history list` with persistence on, with the lines shown", async () => {
  await withTmux({}, async (t) => {
    const shown = await watchAndQuit(t);
    const list = await s9s(t, ["history", "list", "-o", "json"]);
    assertEquals(list.code, 0, list.stderr);
    const sessions = JSON.parse(list.stdout) as {
      id: string;
      job_id: string;
      type: string;
      lines: number;
    }[];
    const mine = sessions.filter((x) => x.job_id === "1001" && x.type === "stdout");
    assertEquals(mine.length, 1, `one saved stream of job 1001 stdout: ${list.stdout}`);
    assert(mine[0].lines > 0, "lines counted");
    const exported = await s9s(t, ["history", "export", mine[0].id]);
    assertEquals(exported.code, 0, exported.stderr);
    const saved = steps(exported.stdout);
    assert(saved.includes(shown), `the last step on screen (${shown}) is saved: ${saved.at(-1)}`);
    assertEquals(saved.slice(0, 3), [1, 2, 3], "from the start of the output");
  });
});

Deno.test("TUI saves no history with streaming.persistence.enabled off", async () => {
  const config = await Deno.makeTempFile({ suffix: ".yaml" });
  await Deno.writeTextFile(config, "streaming:\n  persistence:\n    enabled: false\n");
  try {
    await withTmux({ env: { S9S_CONFIG: config } }, async (t) => {
      await watchAndQuit(t);
      const list = await s9s(t, ["history", "list", "-o", "json"]);
      assertEquals(list.code, 0, list.stderr);
      assertEquals(JSON.parse(list.stdout), []);
    });
  } finally {
    await Deno.remove(config);
  }
});
