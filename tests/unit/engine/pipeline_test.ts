/**
 * The engine's pipeline: runs targets to their end through the output a face gives it, and ends
 * what it was given in order — the parts last built first, then the cluster — also when building
 * one of them fails.
 */
import { deepStrictEqual } from "node:assert";
import { Pipeline } from "../../../src/engine/pipeline.ts";
import type { ClusterBackend } from "../../../src/cluster/job.ts";
import { defaultRawConfig } from "../../../src/config/defaults.ts";
import { configSchema } from "../../../src/config/schema.ts";
import { batchLines } from "../../../src/core/line_batch.ts";
import { assertRejects } from "../../_helpers/assert.ts";
import { tempHome } from "../../_helpers/temp_dir.ts";

function config() {
  const raw = defaultRawConfig() as { streaming: Record<string, unknown> };
  raw.streaming.persistence = { ...(raw.streaming.persistence as object), enabled: false };
  return configSchema.parse(raw);
}

/** A cluster that knows no job and notes when it is closed. */
function emptyCluster(log: string[]): ClusterBackend {
  return {
    name: "empty",
    getJob: () => Promise.resolve([]),
    close: () => void log.push("cluster"),
  } as unknown as ClusterBackend;
}

Deno.test("Pipeline runs file targets to the end through the output, filters applied", async () => {
  const { dir } = await tempHome();
  try {
    await Deno.writeTextFile(`${dir}/a.log`, "keep 1\ndrop\nkeep 2\n");
    const pipeline = new Pipeline({ config: config(), keepBuffers: false, include: ["keep"] });
    const lines: string[] = [];
    pipeline.output({
      onLines: (_s, b, sel) => void lines.push(...(sel.all ? batchLines(b) : sel.lines)),
    });
    const target = { kind: "file", label: "a.log", path: `${dir}/a.log` } as const;
    deepStrictEqual(await pipeline.run([{ target, follow: false }]), "done");
    await pipeline.close();
    deepStrictEqual(lines, ["keep 1", "keep 2"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Pipeline ends its parts last-built first, then the cluster, and a failed build ends them too", async () => {
  const log: string[] = [];
  const part = (name: string) => () => () => void log.push(name);
  const pipeline = new Pipeline({ config: config(), cluster: emptyCluster(log) });
  await pipeline.attach(part("integrations"), part("recorders"));
  await pipeline.close();
  deepStrictEqual(log, ["recorders", "integrations", "cluster"]);

  log.length = 0;
  const failing = new Pipeline({ config: config(), cluster: emptyCluster(log) });
  const broken = () => Promise.reject(new Error("cannot write --save file"));
  await assertRejects(() => failing.attach(part("integrations"), broken), /--save file/);
  deepStrictEqual(log, ["integrations", "cluster"]);
});

Deno.test("Pipeline.run fails on a job the cluster does not know before any stream starts", async () => {
  const log: string[] = [];
  const pipeline = new Pipeline({ config: config(), cluster: emptyCluster(log) });
  const target = { kind: "job", jobId: "424242", via: "auto" } as const;
  await assertRejects(() => pipeline.run([{ target }]), /job "424242" was not found/);
  deepStrictEqual(pipeline.manager.streams.length, 0);
  await pipeline.close();
  deepStrictEqual(log, ["cluster"]);
});
