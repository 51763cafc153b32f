/**
 * `s9s config show`: every key's effective value with where it came from, and a file that
 * `s9s config validate` accepts as it is, without a warning about a value s9s printed itself.
 */
import { assertEquals, assertStringIncludes } from "../_helpers/assert.ts";
import { runS9s, testEnv } from "../_helpers/cli.ts";
import { tempHome } from "../_helpers/temp_dir.ts";

Deno.test("config show names each value's origin: default, file line, variable, flag", async () => {
  const { dir, home } = await tempHome("s9s-show-");
  try {
    const cfg = `${home}/c.yaml`;
    await Deno.writeTextFile(
      cfg,
      "streaming:\n  polling_interval: 1s\n  buffer:\n    max_size: 5MB\n",
    );
    const r = await runS9s(["--config", cfg, "--cluster-api", "cli", "config", "show"], {
      env: testEnv(home, { S9S_STREAMING__SSH__PORT: "2222" }),
    });
    assertEquals([r.code, r.stderr], [0, ""]);
    for (
      const line of [
        `  polling_interval: 1s # file ${cfg} line 2`,
        `    max_size_per_stream: 5MB # file ${cfg} line 4`,
        "    port: 2222 # env S9S_STREAMING__SSH__PORT",
        "  backend: cli # flag --cluster-api",
        "  refresh_interval: 100ms # default",
      ]
    ) assertStringIncludes(r.stdout, `\n${line}\n`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("config validate accepts config show's output without a warning", async () => {
  const { dir, home } = await tempHome("s9s-show-");
  try {
    const shown = await runS9s(["config", "show"], { env: testEnv(home) });
    assertEquals(shown.code, 0, shown.stderr);
    const file = `${home}/shown.yaml`;
    await Deno.writeTextFile(file, shown.stdout);
    const v = await runS9s(["config", "validate", file], { env: testEnv(home) });
    assertEquals([v.code, v.stdout, v.stderr], [0, `ok: ${file} is valid\n`, ""]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
