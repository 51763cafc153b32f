import { loadConfig } from "../../../src/config/load.ts";
import { configWarnings } from "../../../src/config/warnings.ts";
import { DEFAULT_ENDPOINT, jobEndpoint } from "../../../src/config/slurm_api.ts";
import { defaultConfig } from "../../../src/config/default_config.ts";
import { DEFAULT_REST_URL, restTarget } from "../../../src/cluster/rest_target.ts";
import { assertEquals, assertMatch } from "../../_helpers/assert.ts";

Deno.test("config show's origins name the default, the file line, the variable and the flag", async () => {
  const dir = await Deno.makeTempDir({ prefix: "s9s-config-" });
  try {
    const file = `${dir}/c.yaml`;
    await Deno.writeTextFile(
      file,
      "streaming:\n  polling_interval: 1s\n  buffer:\n    max_size: 5MB\n",
    );
    const { origins } = await loadConfig({
      file,
      env: { S9S_STREAMING__SSH__PORT: "2222" },
      overrides: { cluster: { backend: "cli" } },
      flagNames: { "cluster.backend": "--cluster-api" },
      origins: true,
    });
    const at = (k: string) => origins?.get(k);
    assertEquals(at("streaming.polling_interval"), { from: "file", where: `${file} line 2` });
    assertEquals(at("streaming.buffer.max_size_per_stream"), {
      from: "file",
      where: `${file} line 4`,
    });
    assertEquals(at("streaming.ssh.port"), { from: "env", where: "S9S_STREAMING__SSH__PORT" });
    assertEquals(at("cluster.backend"), { from: "flag", where: "--cluster-api" });
    assertEquals(at("streaming.buffer.max_lines"), { from: "default", where: undefined });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the guide's slurm_api endpoint is not used, and said so; the default is used silently", () => {
  const config = defaultConfig();
  assertEquals(configWarnings(config), []);
  assertEquals(jobEndpoint(config.streaming.slurm_api.endpoint), DEFAULT_ENDPOINT);
  config.streaming.slurm_api.endpoint = "/slurm/v0.0.43/job/{job_id}/output";
  const w = configWarnings(config);
  assertEquals(w.length, 1);
  assertMatch(w[0], /is not used: slurmrestd \(up to v0\.0\.43\) has no endpoint/);
  assertEquals(jobEndpoint(config.streaming.slurm_api.endpoint), DEFAULT_ENDPOINT);
  assertEquals(jobEndpoint("/slurm/v0.0.40/job/{job_id}"), "/slurm/v0.0.40/job/{job_id}");
});

Deno.test("slurm_api with neither url nor socket uses a default socket when there is one, else the default port", async () => {
  assertEquals(restTarget({ url: "", socket: "" }, ["/nonexistent/slurmrestd.socket"]), {
    url: DEFAULT_REST_URL,
  });
  assertEquals(restTarget({ url: "http://h:1", socket: "" }), {
    url: "http://h:1",
    socket: undefined,
  });
  const dir = await Deno.makeTempDir({ prefix: "s9s-config-" });
  try {
    const path = `${dir}/rest.socket`;
    using _listener = Deno.listen({ transport: "unix", path });
    assertEquals(restTarget({ url: "", socket: "" }, [`${dir}/none`, path]), { socket: path });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("config validate warns about a filter that does nothing, not about one that works", () => {
  const config = defaultConfig();
  assertEquals(configWarnings(config), []);
  config.streaming.filters = [
    { name: "quiet", pattern: "x", action: "highlight", color: "red", highlight: false },
    { name: "gone", pattern: "y", action: "exclude", color: "red", highlight: true },
    { name: "kept", pattern: "z", action: "include", color: "red", highlight: true },
  ];
  const w = configWarnings(config);
  assertEquals(w.length, 2, w.join("\n"));
  assertMatch(w[0], /^streaming\.filters\.0 \("quiet"\) does nothing/);
  assertMatch(w[1], /^streaming\.filters\.1 \("gone"\): highlight has no effect on an exclude/);
});
