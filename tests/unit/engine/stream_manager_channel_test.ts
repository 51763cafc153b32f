/**
 * getStream's channel as the library sees it: several streams blocked on one slow consumer, and a
 * consumer that leaves early.
 */
import { deepStrictEqual, strictEqual } from "node:assert";
import { StreamManager } from "../../../src/mod.ts";
import { defaultRawConfig } from "../../../src/config/defaults.ts";
import { configSchema } from "../../../src/config/schema.ts";
import type { StreamEvent } from "../../../src/core/stream_event.ts";
import { waitFor } from "../../_helpers/assert.ts";

function config() {
  const raw = defaultRawConfig() as { streaming: Record<string, unknown> };
  raw.streaming.persistence = { ...(raw.streaming.persistence as object), enabled: false };
  return configSchema.parse(raw);
}

function within<T>(p: Promise<T>, what: string, ms = 5000): Promise<T> {
  let t: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new Error(`${what} did not finish in ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(t));
}

const numbered = (prefix: string, n: number) =>
  [...Array(n)].map((_, i) => `${prefix}${i + 1}`).join("\n") + "\n";

Deno.test("StreamManager.getStream resumes stdout and stderr both blocked at capacity", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/o.out`, numbered("out", 300));
  await Deno.writeTextFile(`${dir}/e.err`, numbered("err", 300));
  const manager = new StreamManager({ config: config(), keepBuffers: false });
  try {
    const target = {
      kind: "file",
      label: "j",
      path: `${dir}/o.out`,
      stderrPath: `${dir}/e.err`,
    } as const;
    await manager.startStream(target, "all", { follow: false });
    const events = manager.getStream("j", { capacity: 1 });
    // Both streams have read their batch and are waiting on the full channel.
    await waitFor(
      () => manager.streams.length === 2 && manager.streams.every((s) => s.lines === 300),
      { what: "both streams to read", timeout: 5000, interval: 2 },
    );
    const seen: StreamEvent[] = [];
    await within(
      (async () => {
        for await (const ev of events) seen.push(ev);
      })(),
      "reading both streams",
    );
    const of = (t: string) => seen.filter((e) => e.type === t).map((e) => e.content);
    deepStrictEqual(of("stdout"), numbered("out", 300).trimEnd().split("\n"));
    deepStrictEqual(of("stderr"), numbered("err", 300).trimEnd().split("\n"));
  } finally {
    manager.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("StreamManager.getStream left early wakes the blocked streams, which finish", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/o.out`, numbered("out", 300));
  await Deno.writeTextFile(`${dir}/e.err`, numbered("err", 300));
  const manager = new StreamManager({ config: config(), keepBuffers: false });
  try {
    const target = {
      kind: "file",
      label: "j",
      path: `${dir}/o.out`,
      stderrPath: `${dir}/e.err`,
    } as const;
    await manager.startStream(target, "all", { follow: false });
    const events = manager.getStream("j", { capacity: 1 });
    await waitFor(() => manager.streams.every((s) => s.lines === 300), {
      what: "both streams to read",
      timeout: 5000,
      interval: 2,
    });
    let first: StreamEvent | undefined;
    for await (const ev of events) {
      first = ev;
      break;
    }
    strictEqual(first?.line_num, 1);
    await within(manager.done(), "the streams to end after the consumer left");
    deepStrictEqual(manager.streams.map((s) => s.state), ["ended", "ended"]);
  } finally {
    manager.close();
    await Deno.remove(dir, { recursive: true });
  }
});
