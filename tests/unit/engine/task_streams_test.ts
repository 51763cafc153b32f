/**
 * The engine's task streams (start option splitTasks): labelled lines become streams of their
 * own, with their own buffers and line numbers, ending with the stream they were split from.
 */
import { deepStrictEqual } from "node:assert";
import { StreamManager } from "../../../src/mod.ts";
import { defaultRawConfig } from "../../../src/config/defaults.ts";
import { configSchema } from "../../../src/config/schema.ts";

function config() {
  const raw = defaultRawConfig() as { streaming: Record<string, unknown> };
  raw.streaming.persistence = { ...(raw.streaming.persistence as object), enabled: false };
  return configSchema.parse(raw);
}

Deno.test("splitTasks gives each labelled task a stream with its own buffer and numbering", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/job.out`;
  await Deno.writeTextFile(path, "setup\n0: a\n 1: b\n0: c\ndone\n1: d\n");
  const manager = new StreamManager({ config: config(), keepBuffers: true });
  try {
    await manager.startStream({ kind: "file", label: "7", path }, "stdout", {
      follow: false,
      splitTasks: true,
    });
    await manager.done();
    const view = (key: string) => {
      const s = manager.streams.find((x) => x.key === key)!;
      const all = s.buffer!.all;
      return {
        lines: all.slice(0, all.length).map((l) => `${l.num}:${l.content}`),
        ended: s.state,
      };
    };
    deepStrictEqual(manager.streams.map((s) => [s.key, s.part?.task]), [
      ["7:stdout", undefined],
      ["7 task 0:stdout", 0],
      ["7 task 1:stdout", 1],
    ]);
    deepStrictEqual(view("7:stdout"), { lines: ["1:setup", "2:done"], ended: "ended" });
    deepStrictEqual(view("7 task 0:stdout"), { lines: ["1:a", "2:c"], ended: "ended" });
    deepStrictEqual(view("7 task 1:stdout"), { lines: ["1:b", "2:d"], ended: "ended" });
  } finally {
    manager.close();
    await Deno.remove(dir, { recursive: true });
  }
});
