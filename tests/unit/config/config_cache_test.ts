import { assert, assertEquals } from "../../_helpers/assert.ts";
import { loadConfig } from "../../../src/config/load.ts";
import { UsageError } from "../../../src/errors.ts";

/** Run `fn` with S9S_HOME at a new directory holding `config.yaml` with `text`. */
async function withHome(text: string, fn: (home: string, file: string) => Promise<void>) {
  const home = await Deno.makeTempDir();
  const old = Deno.env.get("S9S_HOME");
  Deno.env.set("S9S_HOME", home);
  try {
    await Deno.writeTextFile(`${home}/config.yaml`, text);
    await fn(home, `${home}/config.yaml`);
  } finally {
    if (old === undefined) Deno.env.delete("S9S_HOME");
    else Deno.env.set("S9S_HOME", old);
    await Deno.remove(home, { recursive: true });
  }
}

/** Change what the cache holds for every entry (to see whether a load used it). */
function tamper(home: string, limit: number) {
  const path = `${home}/cache/config.json`;
  const data = JSON.parse(Deno.readTextFileSync(path));
  for (const e of data.entries) e.config.streaming.max_concurrent_streams = limit;
  Deno.writeTextFileSync(path, JSON.stringify(data));
}

const YAML = "streaming:\n  max_concurrent_streams: 7\n";

Deno.test("config cache: an unchanged file is not parsed again; any change is", async () => {
  await withHome(YAML, async (home, file) => {
    const first = await loadConfig({ file, env: {}, cache: true });
    assertEquals(first.config.streaming.max_concurrent_streams, 7);
    tamper(home, 99);
    // Same text, same environment, same build: the cached result (tampered, so we can tell).
    const hit = await loadConfig({ file, env: {}, cache: true });
    assertEquals(hit.config.streaming.max_concurrent_streams, 99);
    assertEquals(hit.file, file);
    // Without `cache` (s9s config validate): parsed and validated.
    assertEquals((await loadConfig({ file, env: {} })).config.streaming.max_concurrent_streams, 7);
    // A variable of the environment layer: another key.
    const env = { S9S_STREAMING__MAX_CONCURRENT_STREAMS: "5" };
    const withEnv = await loadConfig({ file, env, cache: true });
    assertEquals(withEnv.config.streaming.max_concurrent_streams, 5);
    // Flag overrides: another key.
    const over = await loadConfig({
      file,
      env: {},
      cache: true,
      overrides: { streaming: { max_concurrent_streams: 3 } },
    });
    assertEquals(over.config.streaming.max_concurrent_streams, 3);
    // The file edited (same length even): parsed again.
    await Deno.writeTextFile(file, YAML.replace("7", "8"));
    assertEquals(
      (await loadConfig({ file, env: {}, cache: true })).config.streaming.max_concurrent_streams,
      8,
    );
  });
});

Deno.test("config cache: an invalid file is never cached; a corrupt cache is ignored", async () => {
  await withHome("streaming:\n  max_concurrent_streams: many\n", async (home, file) => {
    for (let i = 0; i < 2; i++) {
      let err: unknown;
      try {
        await loadConfig({ file, env: {}, cache: true });
      } catch (e) {
        err = e;
      }
      assert(err instanceof UsageError, `run ${i}: invalid configuration reported`);
    }
    await Deno.writeTextFile(file, YAML);
    await Deno.mkdir(`${home}/cache`, { recursive: true });
    await Deno.writeTextFile(`${home}/cache/config.json`, "{not json");
    const got = await loadConfig({ file, env: {}, cache: true });
    assertEquals(got.config.streaming.max_concurrent_streams, 7);
    // …and replaced by a good one.
    assertEquals(
      JSON.parse(await Deno.readTextFile(`${home}/cache/config.json`)).entries.length,
      1,
    );
  });
});

Deno.test("config cache: no file, only S9S_ variables or flags, is cached too", async () => {
  await withHome(YAML, async (home, file) => {
    await Deno.remove(file); // no config file: its default place is empty
    const env = { S9S_STREAMING__MAX_CONCURRENT_STREAMS: "5" };
    const first = await loadConfig({ env, cache: true });
    assertEquals(first.config.streaming.max_concurrent_streams, 5);
    assertEquals(first.file, undefined);
    tamper(home, 99);
    const hit = await loadConfig({ env, cache: true });
    assertEquals(hit.config.streaming.max_concurrent_streams, 99, "the cached result was used");
    assertEquals(hit.file, undefined, "a cached result without a file names none");
    // Another value: another key, validated.
    const other = { S9S_STREAMING__MAX_CONCURRENT_STREAMS: "6" };
    assertEquals(
      (await loadConfig({ env: other, cache: true })).config.streaming
        .max_concurrent_streams,
      6,
    );
    // Flags alone (e.g. --ssh-transport): cached as well.
    const overrides = { streaming: { max_concurrent_streams: 3 } };
    assertEquals(
      (await loadConfig({ env: {}, cache: true, overrides })).config.streaming
        .max_concurrent_streams,
      3,
    );
    tamper(home, 42);
    assertEquals(
      (await loadConfig({ env: {}, cache: true, overrides })).config.streaming
        .max_concurrent_streams,
      42,
    );
    // The file appears: its text is part of the key, so it is read and validated.
    await Deno.writeTextFile(file, YAML);
    const withFile = await loadConfig({ env: {}, cache: true, overrides });
    assertEquals(withFile.file, file);
    assertEquals(withFile.config.streaming.max_concurrent_streams, 3);
    // A bad variable is reported every time, never cached.
    await Deno.remove(file);
    for (let i = 0; i < 2; i++) {
      let err: unknown;
      try {
        await loadConfig({
          env: { S9S_STREAMING__MAX_CONCURRENT_STREAMS: "many" },
          cache: true,
        });
      } catch (e) {
        err = e;
      }
      assert(err instanceof UsageError, `run ${i}: invalid variable reported`);
    }
  });
});
