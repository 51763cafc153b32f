import { assertEquals } from "../../_helpers/assert.ts";
import { defaultConfig } from "../../../src/config/default_config.ts";
import { defaultRawConfig } from "../../../src/config/defaults.ts";
import { configSchema } from "../../../src/config/schema.ts";
import { loadConfig } from "../../../src/config/load.ts";

Deno.test("the schema-free defaults equal what the schema makes of the defaults", () => {
  assertEquals(defaultConfig(), configSchema.parse(defaultRawConfig()));
});

Deno.test("no config file, no variables: loadConfig gives the defaults", async () => {
  const dir = await Deno.makeTempDir();
  const old = Deno.env.get("S9S_HOME");
  Deno.env.set("S9S_HOME", dir);
  try {
    const loaded = await loadConfig({ env: {} });
    assertEquals(loaded.file, undefined);
    assertEquals(loaded.config, configSchema.parse(defaultRawConfig()));
    const withEnv = await loadConfig({
      env: { S9S_STREAMING__PERSISTENCE__ENABLED: "false" },
    });
    assertEquals(withEnv.config.streaming.persistence.enabled, false);
  } finally {
    if (old === undefined) Deno.env.delete("S9S_HOME");
    else Deno.env.set("S9S_HOME", old);
    await Deno.remove(dir, { recursive: true });
  }
});
