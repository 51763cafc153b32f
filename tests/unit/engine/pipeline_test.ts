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

Deno.test("Pipeline hands a read's batches on at once while the output takes them, and holds them, in order, while a listener waits", async () => {
  const { dir } = await tempHome();
  try {
    const text = Array.from({ length: 60 }, (_, i) => `line ${i + 1}`).join("\n") + "\n";
    await Deno.writeTextFile(`${dir}/a.log`, text);
    const cfg = config();
    cfg.streaming.file_polling.batch_size = 10; // six batches from one read
    const pipeline = new Pipeline({ config: cfg, keepBuffers: false });
    const log: string[] = [];
    let sameTask = false;
    const gate = Promise.withResolvers<void>();
    pipeline.output({
      onLines: (_s, b) => {
        const first = batchLines(b)[0];
        log.push(`a ${first}${sameTask ? " (same task)" : ""}`);
        sameTask = true;
        queueMicrotask(() => sameTask = false);
        if (first === "line 21") {
          setTimeout(() => {
            log.push("released");
            gate.resolve();
          }, 20);
          return gate.promise; // backpressure: nothing more until it settles
        }
      },
    });
    pipeline.manager.subscribe({ onLines: (_s, b) => void log.push(`b ${batchLines(b)[0]}`) });
    const target = { kind: "file", label: "a.log", path: `${dir}/a.log` } as const;
    deepStrictEqual(await pipeline.run([{ target, follow: false }]), "done");
    await pipeline.close();
    deepStrictEqual(log, [
      "a line 1",
      "b line 1",
      "a line 11 (same task)",
      "b line 11",
      "a line 21 (same task)",
      "released",
      "b line 21",
      "a line 31",
      "b line 31",
      "a line 41 (same task)",
      "b line 41",
      "a line 51 (same task)",
      "b line 51",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
