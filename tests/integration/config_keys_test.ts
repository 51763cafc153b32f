/**
 * Keys of the guide's configuration blocks, each shown to take effect through the real CLI or UI:
 * the effect is observed (output, exit code, screen), so a key that is ignored fails its test.
 */
import { assertEquals, assertMatch, waitFor } from "../_helpers/assert.ts";
import { runS9s, testEnv } from "../_helpers/cli.ts";
import { withTmux } from "../_helpers/tmux.ts";
import { tempHome } from "../_helpers/temp_dir.ts";

const OFF_HINT =
  "hint: set streaming.enabled: true in the config file (or S9S_STREAMING__ENABLED=true) to follow job output\n";

Deno.test("streaming.enabled: false makes `s9s stream` refuse, saying where it was set, exit 2", async () => {
  const { dir } = await tempHome("s9s-keys-");
  try {
    const cfg = `${dir}/config.yaml`;
    await Deno.writeTextFile(cfg, "streaming:\n  enabled: false\n");
    await Deno.writeTextFile(`${dir}/job.out`, "a line\n");
    const r = await runS9s(["--config", cfg, "stream", "--path", `${dir}/job.out`, "--no-follow"], {
      env: testEnv(dir),
    });
    assertEquals([r.code, r.stdout, r.stderr], [
      2,
      "",
      `error: streaming is turned off: streaming.enabled is false (file ${cfg} line 2)\n` +
      OFF_HINT,
    ]);
    const e = await runS9s(["stream", "--path", `${dir}/job.out`, "--no-follow"], {
      env: testEnv(dir, { S9S_STREAMING__ENABLED: "false" }),
    });
    assertEquals([e.code, e.stdout, e.stderr], [
      2,
      "",
      "error: streaming is turned off: streaming.enabled is false (env S9S_STREAMING__ENABLED)\n" +
      OFF_HINT,
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("streaming.enabled: false keeps the UI's Stream Monitor closed and `s` off, with the reason", async () => {
  await withTmux({ env: { S9S_STREAMING__ENABLED: "false" } }, async (t) => {
    await t.waitFor("train_model");
    // The output view still shows what the file holds; `s` (streaming mode) is refused.
    await t.keys("/");
    await t.type("train_model");
    await t.keys("Enter", "o");
    await t.waitFor((x) => x.includes("Job 1001 train_model [STDOUT]") && x.includes("STATIC"));
    await t.keys("s");
    const s = await t.waitFor((x) => x.includes("streaming is turned off") && x.includes("STATIC"));
    assertEquals(s.includes("LIVE"), false, s);
    // Ctrl+s from the jobs list: the monitor does not open (the help shows which view is up).
    await t.keys("Escape");
    await t.waitFor((x) => !x.includes("[STDOUT]"));
    await t.keys("C-s", "?");
    const help = await t.waitFor("Help: ");
    assertEquals(/Help: Jobs/.test(help), true, help);
  });
});

Deno.test("filters: a highlight filter marks lines without hiding any; highlight: false marks none", async () => {
  const { dir } = await tempHome("s9s-keys-");
  try {
    const cfg = `${dir}/config.yaml`;
    await Deno.writeTextFile(
      cfg,
      `streaming:
  filters:
    - name: errors
      pattern: "ERROR"
      action: highlight
      color: red
    - name: warnings
      pattern: "WARN"
      color: yellow
      highlight: false
`,
    );
    await Deno.writeTextFile(`${dir}/job.out`, "ERROR x\nWARN y\nplain\n");
    const r = await runS9s(
      ["--config", cfg, "stream", "--path", `${dir}/job.out`, "--no-follow", "-o", "json"],
      { env: testEnv(dir) },
    );
    assertEquals([r.code, r.stderr], [0, ""]);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assertEquals(events.map((e) => [e.content, e.highlights]), [
      ["ERROR x", ["errors"]],
      ["WARN y", undefined],
      ["plain", undefined],
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("refresh_interval is the UI's redraw period as set (the debug log names the timer's period)", async () => {
  const { dir } = await tempHome("s9s-keys-");
  try {
    await withTmux({
      args: ["--mock", "--debug"],
      env: { S9S_HOME: dir, S9S_STREAMING__REFRESH_INTERVAL: "250ms" },
    }, async (t) => {
      await t.waitFor("train_model");
      const log = await waitFor(() => {
        const text = Deno.readTextFileSync(`${dir}/debug.log`);
        return /TUI.*redraw every \d+ ms/.test(text) ? text : undefined;
      }, { what: "the TUI's timers in the debug log" });
      assertMatch(log, /redraw every 250 ms; job list every 2000 ms/);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
