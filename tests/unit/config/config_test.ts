import { deepStrictEqual } from "node:assert";
import { parseDuration, parseSize } from "../../../src/config/units.ts";
import { compilePattern } from "../../../src/config/regex.ts";
import { didYouMean, envLayer, loadConfig } from "../../../src/config/load.ts";
import { assert, assertRejects } from "../../_helpers/assert.ts";

Deno.test("durations parse the guide's units", () => {
  deepStrictEqual(parseDuration("100ms"), 100);
  deepStrictEqual(parseDuration("30s"), 30_000);
  deepStrictEqual(parseDuration("5m"), 300_000);
  deepStrictEqual(parseDuration("1s"), 1000);
  deepStrictEqual(parseDuration("1h30m"), 5_400_000);
  deepStrictEqual(parseDuration("7d"), 604_800_000);
  deepStrictEqual(parseDuration("1.5s"), 1500);
  deepStrictEqual(parseDuration("soon"), undefined);
  deepStrictEqual(parseDuration("10"), undefined);
});

Deno.test("sizes parse the guide's units", () => {
  deepStrictEqual(parseSize("4KB"), 4096);
  deepStrictEqual(parseSize("64KB"), 65536);
  deepStrictEqual(parseSize("10MB"), 10 * 1024 * 1024);
  deepStrictEqual(parseSize("1GiB"), 1024 ** 3);
  deepStrictEqual(parseSize(512), 512);
  deepStrictEqual(parseSize("lots"), undefined);
});

Deno.test("Go/PCRE-style patterns with inline flags compile", () => {
  const re = compilePattern("(?i)error|fail");
  assert(re.test("An ERROR") && re.test("FAILED") && !re.test("ok"));
  assert(compilePattern("(?P<n>\\d+)%").test("50%"));
  assert(compilePattern("\\d+(\\.\\d+)?%|progress:").test("12.5%"));
  let threw = false;
  try {
    compilePattern("a(?i)b");
  } catch {
    threw = true;
  }
  assert(threw, "mid-pattern inline flags are rejected clearly");
});

Deno.test("config precedence is defaults < file < environment < flags, with both key spellings", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/c.yaml`;
  await Deno.writeTextFile(
    file,
    "streaming:\n  polling_interval: 1s\n  refresh_interval: 2s\n  persistence:\n    base_dir: /x\n  buffer:\n    max_size: 5MB\n",
  );
  const { config } = await loadConfig({
    file,
    env: { S9S_STREAMING__REFRESH_INTERVAL: "300ms", S9S_STREAMING__BUFFER__MAX_LINES: "123" },
    overrides: { streaming: { polling_interval: "50ms" } },
  });
  deepStrictEqual(config.streaming.polling_interval, 50);
  deepStrictEqual(config.streaming.refresh_interval, 300);
  deepStrictEqual(config.streaming.buffer.max_lines, 123);
  deepStrictEqual(config.streaming.buffer.max_size_per_stream, 5 * 1024 * 1024);
  deepStrictEqual(config.streaming.persistence.directory, "/x");
  deepStrictEqual(config.streaming.max_concurrent_streams, 20);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("config accepts the guide's complete example", async () => {
  const file = new URL("../../../fixtures/config/guide_complete.yaml", import.meta.url).pathname;
  const { config } = await loadConfig({ file, env: {} });
  deepStrictEqual(config.streaming.file_paths.custom_patterns.length, 2);
  deepStrictEqual(config.streaming.filters[0].name, "errors");
  deepStrictEqual(config.streaming.ssh.max_connections, 5);
  deepStrictEqual(config.streaming.slurm_api.chunk_size, 8192);
  deepStrictEqual(config.streaming.memory_limit, 500 * 1024 * 1024);
  deepStrictEqual(config.streaming.alerts.length, 2);
});

Deno.test("conflicting spellings of one key are an error", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/c.yaml`;
  await Deno.writeTextFile(
    file,
    "streaming:\n  persistence:\n    base_dir: /a\n    directory: /b\n",
  );
  await assertRejects(
    () => loadConfig({ file, env: {} }),
    /conflicts with streaming.persistence.directory/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("did-you-mean suggests close keys only", () => {
  deepStrictEqual(didYouMean("persistance", ["persistence", "buffer"]), "persistence");
  deepStrictEqual(didYouMean("zzz", ["persistence", "buffer"]), undefined);
  deepStrictEqual(envLayer({ S9S_STREAMING__SSH__ENABLED: "false", OTHER: "1" }), {
    streaming: { ssh: { enabled: false } },
  });
});
