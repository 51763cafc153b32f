import { deepStrictEqual } from "node:assert";
import { AlertEngine } from "../../../src/sinks/alerts.ts";
import { linesBatch } from "../../_helpers/line_batch.ts";
import type { AlertConfig } from "../../../src/config/schema.ts";

function fired(pattern: string, lines: string[], first = 1): string[] {
  const logged: string[] = [];
  const engine = new AlertEngine([{ pattern, action: "log" } as AlertConfig], {
    debug: { enabled: true, log: (_tag: string, msg: string) => logged.push(msg) },
    warn: () => {},
  });
  engine.scan("42", "stdout", linesBatch(lines, first));
  return logged;
}

Deno.test("alerts fire on the lines that match alone, with their line numbers (lookarounds and anchors too)", () => {
  const lines = ["x ERROR", "WARN", "ok WARN 1", "ERROR\u2028tail", "ERROR"];
  deepStrictEqual(fired("WARN(?!\\s)", lines, 10), ["alert 1: job 42 stdout:11: WARN"]);
  deepStrictEqual(fired("ERROR$", lines), [
    "alert 1: job 42 stdout:1: x ERROR",
    "alert 1: job 42 stdout:5: ERROR",
  ]);
});
