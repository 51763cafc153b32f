import { deepStrictEqual } from "node:assert";
import {
  historyDir,
  newSessionId,
  partFileName,
  sessionStart,
} from "../../../src/persist/history_dir.ts";
import { expandHome } from "../../../src/platform/paths.ts";
import { defaultRawConfig } from "../../../src/config/defaults.ts";
import { configSchema, type StreamingConfig } from "../../../src/config/schema.ts";

function streaming(directory: string): StreamingConfig {
  const cfg = configSchema.parse(defaultRawConfig()).streaming;
  return { ...cfg, persistence: { ...cfg.persistence, directory } };
}

/** Run `fn` with HOME and S9S_HOME set (or unset), then restore them. */
function withEnv(env: { HOME: string; S9S_HOME?: string }, fn: () => void): void {
  const saved = { HOME: Deno.env.get("HOME"), S9S_HOME: Deno.env.get("S9S_HOME") };
  try {
    Deno.env.set("HOME", env.HOME);
    if (env.S9S_HOME === undefined) Deno.env.delete("S9S_HOME");
    else Deno.env.set("S9S_HOME", env.S9S_HOME);
    fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) Deno.env.delete(k);
      else Deno.env.set(k, v);
    }
  }
}

Deno.test("expandHome maps ~/.s9s to $S9S_HOME and other ~ paths to $HOME", () => {
  withEnv({ HOME: "/home/u", S9S_HOME: "/state" }, () => {
    deepStrictEqual(
      ["~/.s9s", "~/.s9s/x/y", "~/.s9sx", "~", "~/a", "/abs", "rel"].map(expandHome),
      ["/state", "/state/x/y", "/home/u/.s9sx", "/home/u", "/home/u/a", "/abs", "rel"],
    );
  });
  withEnv({ HOME: "/home/u" }, () => {
    deepStrictEqual(["~/.s9s", "~/.s9s/h"].map(expandHome), ["/home/u/.s9s", "/home/u/.s9s/h"]);
  });
});

Deno.test("historyDir follows $S9S_HOME and drops trailing slashes", () => {
  withEnv({ HOME: "/home/u", S9S_HOME: "/state" }, () => {
    deepStrictEqual(historyDir(streaming("~/.s9s/stream_history/")), "/state/stream_history");
    deepStrictEqual(historyDir(streaming("~/hist")), "/home/u/hist");
    deepStrictEqual(historyDir(streaming("/")), "/");
  });
});

Deno.test("a part file's name gives back when its session started, to the second", () => {
  const at = new Date(Date.UTC(2026, 11, 8, 3, 4, 5, 678));
  const name = partFileName(newSessionId("123_4", "stdout", at), 2);
  deepStrictEqual(name.slice(0, 16), "20261208-030405-");
  deepStrictEqual(sessionStart(name), Date.UTC(2026, 11, 8, 3, 4, 5));
  deepStrictEqual(sessionStart("notes.001.log.gz"), undefined);
  deepStrictEqual(sessionStart("20261399-030405-abcd-1-stdout.001.log.gz"), undefined);
});
