/**
 * A webhook alert nobody receives, in a short `s9s stream` run: said at once and once, and the
 * run's exit is held a moment at most (its retries were holding it ~5 s, in silence).
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { runS9s, testEnv } from "../_helpers/cli.ts";

Deno.test("an undeliverable webhook warns at once, once, and holds a short run's exit a moment at most", async () => {
  const dir = await Deno.makeTempDir({ prefix: "s9s-alert-down-" });
  try {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (l.addr as Deno.NetAddr).port;
    l.close(); // nothing listens there: every POST is refused
    const url = `http://127.0.0.1:${port}/hook`;
    await Deno.writeTextFile(`${dir}/job.log`, "ERROR one\nok\nERROR two\n");
    await Deno.writeTextFile(
      `${dir}/c.yaml`,
      `streaming:\n  alerts:\n    - name: errors\n      pattern: ERROR\n      action: webhook\n` +
        `      url: "${url}"\n      cooldown: 0s\n`,
    );
    const t0 = Date.now();
    const r = await runS9s(
      ["--config", `${dir}/c.yaml`, "stream", "--no-follow", "-q", "--path", `${dir}/job.log`],
      { env: testEnv(`${dir}/home`) },
    );
    const took = Date.now() - t0;
    assertEquals([r.code, r.stdout], [0, "ERROR one\nok\nERROR two\n"]);
    const warnings = r.stderr.split("\n").filter(Boolean);
    assertEquals(warnings.length, 2, r.stderr);
    assert(
      warnings[0].startsWith(`s9s: warning: alert "errors": webhook ${url} failed: `) &&
        warnings[0].includes("Connection refused"),
      r.stderr,
    );
    assertEquals(warnings[1], "s9s: warning: alerts: 2 alert action(s) were not delivered");
    assert(took < 3500, `exit held ${took} ms`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
