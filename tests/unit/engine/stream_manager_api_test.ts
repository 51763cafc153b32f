/**
 * The library API as the guide's reference shows it: startStream, addFilter, getStream.
 */
import { deepStrictEqual } from "node:assert";
import { StreamManager } from "../../../src/mod.ts";
import { defaultRawConfig } from "../../../src/config/defaults.ts";
import { configSchema } from "../../../src/config/schema.ts";
import type { StreamEvent } from "../../../src/core/stream_event.ts";
import { assert, assertRejects } from "../../_helpers/assert.ts";

function config() {
  const raw = defaultRawConfig() as { streaming: Record<string, unknown> };
  raw.streaming.persistence = { ...(raw.streaming.persistence as object), enabled: false };
  return configSchema.parse(raw);
}

Deno.test("StreamManager.getStream yields filtered StreamEvents until the stream ends", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/job.out`;
  await Deno.writeTextFile(path, "INFO start\nERROR disk full\nINFO x\nFAIL: retry\n");
  const manager = new StreamManager({ config: config(), keepBuffers: true });
  try {
    manager.addFilter("errors", "ERROR|FAIL");
    await manager.startStream({ kind: "file", label: "job.out", path }, "stdout", {
      follow: false,
    });
    const events: StreamEvent[] = [];
    for await (const ev of manager.getStream("job.out")) events.push(ev);
    deepStrictEqual(events.map((e) => [e.line_num, e.content, e.type, e.source]), [
      [2, "ERROR disk full", "stdout", "file"],
      [4, "FAIL: retry", "stdout", "file"],
    ]);
    assert(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(events[0].timestamp),
      events[0].timestamp,
    );
    deepStrictEqual(manager.streams[0].lines, 4);
    deepStrictEqual(manager.streams[0].buffer?.length, 4, "the scroll-back keeps every line");
  } finally {
    manager.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("StreamManager.addFilter rejects a bad pattern with a usage error naming it", async () => {
  const manager = new StreamManager({ config: config() });
  await assertRejects(
    () => manager.addFilter("bad", "x(["),
    /filter "bad": invalid regular expression "x\(\["/,
  );
  manager.close();
});

Deno.test("StreamManager.stopStream ends a followed stream and getStream finishes", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/job.out`;
  await Deno.writeTextFile(path, "one\n");
  const manager = new StreamManager({ config: config() });
  try {
    await manager.startStream({ kind: "file", label: "j", path }, "stdout");
    const seen: string[] = [];
    for await (const ev of manager.getStream("j")) {
      seen.push(ev.content);
      manager.stopStream("j");
    }
    deepStrictEqual(seen, ["one"]);
    deepStrictEqual(manager.streams.length, 0);
  } finally {
    manager.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("StreamManager.getStream of one job ends with that job, whatever the others do", async () => {
  const dir = await Deno.makeTempDir();
  const a = `${dir}/a.out`;
  const b = `${dir}/b.out`;
  await Deno.writeTextFile(a, "a1\na2\n");
  await Deno.writeTextFile(b, "b1\n");
  const manager = new StreamManager({ config: config() });
  try {
    await manager.startStream({ kind: "file", label: "a", path: a }, "stdout", { follow: false });
    await manager.startStream({ kind: "file", label: "b", path: b }, "stdout"); // follows for ever
    const seen: string[] = [];
    for await (const ev of manager.getStream("a")) seen.push(ev.content);
    deepStrictEqual(seen, ["a1", "a2"]);
    // Asked again after its job ended: the scroll-back is replayed, then the end.
    const again: string[] = [];
    for await (const ev of manager.getStream("a")) again.push(ev.content);
    deepStrictEqual(again, ["a1", "a2"]);
  } finally {
    manager.close();
    await Deno.remove(dir, { recursive: true });
  }
});
