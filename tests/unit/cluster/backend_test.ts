import { deepStrictEqual } from "node:assert";
import { openBackend, which } from "../../../src/cluster/backend.ts";
import { SlurmCliBackend } from "../../../src/cluster/slurm_cli.ts";
import { SlurmRestBackend } from "../../../src/cluster/slurm_rest.ts";
import { defaultRawConfig } from "../../../src/config/defaults.ts";
import { type Config, configSchema } from "../../../src/config/schema.ts";
import { UserFacingError } from "../../../src/errors.ts";
import { assert, assertRejects } from "../../_helpers/assert.ts";

function config(api: Partial<Config["streaming"]["slurm_api"]> = {}): Config {
  const c = configSchema.parse(defaultRawConfig());
  Object.assign(c.streaming.slurm_api, api);
  return c;
}

/** Run `fn` with PATH set to `path` (restored afterwards). */
async function withPath<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const old = Deno.env.get("PATH") ?? "";
  Deno.env.set("PATH", path);
  try {
    return await fn();
  } finally {
    Deno.env.set("PATH", old);
  }
}

Deno.test("which finds executables on PATH without starting them", async () => {
  const dir = await Deno.makeTempDir({ prefix: "s9s-which-" });
  try {
    await Deno.writeTextFile(`${dir}/tool`, "#!/bin/sh\n", { mode: 0o755 });
    await Deno.writeTextFile(`${dir}/data`, "x", { mode: 0o644 });
    deepStrictEqual(await which("tool", `/nonexistent:${dir}/`), `${dir}/tool`);
    deepStrictEqual(await which("data", dir), undefined, "not executable");
    deepStrictEqual(await which("missing", dir), undefined);
    deepStrictEqual(await which(`${dir}/tool`, ""), `${dir}/tool`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openBackend auto: slurmrestd when enabled, else the commands if on PATH, else nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "s9s-path-" });
  try {
    deepStrictEqual(await withPath(dir, () => openBackend(config(), "auto")), undefined);
    await Deno.writeTextFile(`${dir}/scontrol`, "#!/bin/sh\n", { mode: 0o755 });
    const cli = await withPath(dir, () => openBackend(config(), "auto"));
    assert(cli instanceof SlurmCliBackend);
    const rest = await openBackend(config({ enabled: true, url: "http://127.0.0.1:1" }), "auto");
    assert(rest instanceof SlurmRestBackend);
    rest.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openBackend explains a backend that cannot work", async () => {
  // slurm_api with neither url nor socket is not one: slurmrestd's default socket or port.
  const rest = await openBackend(config(), "rest");
  deepStrictEqual(rest?.name, "rest");
  rest?.close();
  const e2 = await withPath(
    "/nonexistent",
    () => assertRejects(() => openBackend(config(), "cli"), /"scontrol" not found/),
  );
  assert(e2 instanceof UserFacingError && /--mock/.test(e2.hint ?? ""));
});

Deno.test("openBackend mock starts the embedded cluster", async () => {
  const mock = await openBackend(config(), "mock", { mockSpeed: 10 });
  try {
    deepStrictEqual(mock?.name, "mock");
    assert((await mock!.listJobs()).length > 0);
  } finally {
    mock?.close();
  }
});
