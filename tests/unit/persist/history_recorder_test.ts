import { assert, assertEquals, waitFor } from "../../_helpers/assert.ts";
import { HistoryRecorder } from "../../../src/persist/history_recorder.ts";
import { listPartFiles } from "../../../src/persist/history_dir.ts";
import { defaultConfig } from "../../../src/config/default_config.ts";
import type {
  StreamHandle,
  StreamListener,
  StreamManager,
} from "../../../src/engine/stream_manager.ts";
import type { LineBatch } from "../../../src/core/line_batch.ts";

/** Just what the recorder asks of a manager: a subscription, handed to the test. */
function managerFor(listeners: StreamListener[]): StreamManager {
  return {
    subscribe(l: StreamListener) {
      listeners.push(l);
      return () => {};
    },
  } as unknown as StreamManager;
}

const stream = {
  key: "7:stdout",
  jobId: "7",
  type: "stdout",
  state: "live",
  sourceKind: "file",
  lines: 0,
  discarded: 0,
  follows: true,
  reading: true,
} as StreamHandle;

function batch(first: number, count: number): LineBatch {
  let text = "";
  for (let i = 0; i < count; i++) text += `line ${first + i} ${"x".repeat(60)}\n`;
  return { text, count, firstLine: first, startOffset: 0, endOffset: 0, time: Date.now() };
}

Deno.test("history: lines reach the disk while the directory's cleanup is still running", async () => {
  const dir = await Deno.makeTempDir();
  const listeners: StreamListener[] = [];
  // A cleanup as slow as one over a busy NFS home: it ends only when the test lets it.
  const cleanupMayEnd = Promise.withResolvers<void>();
  let cleanups = 0;
  const recorder = HistoryRecorder.start(managerFor(listeners), {
    dir,
    config: defaultConfig().streaming,
    warn: (m) => {
      throw new Error(`unexpected warning: ${m}`);
    },
    clean: async () => {
      cleanups++;
      await cleanupMayEnd.promise;
      return [];
    },
  });
  try {
    // More than a member's worth (256 KB): the first member is compressed and written now.
    for (let n = 1; n <= 8000; n += 1000) {
      await listeners[0].onLines?.(stream, batch(n, 1000), { all: true });
    }
    await waitFor(
      async () => (await listPartFiles(dir)).find((f) => f.size > 0),
      { what: "a history member on disk while the cleanup runs" },
    );
    assertEquals(cleanups, 1, "the cleanup started once, beside the stream");
  } finally {
    cleanupMayEnd.resolve();
    await recorder.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("history: the end of a run waits for the cleanup it started", async () => {
  const dir = await Deno.makeTempDir();
  const listeners: StreamListener[] = [];
  let ended = false;
  const recorder = HistoryRecorder.start(managerFor(listeners), {
    dir,
    config: defaultConfig().streaming,
    warn: () => {},
    clean: async () => {
      await new Promise((r) => setTimeout(r, 50));
      ended = true;
      return [];
    },
  });
  try {
    await listeners[0].onLines?.(stream, batch(1, 10), { all: true });
    await recorder.close();
    assert(ended, "close() returned before the cleanup ended");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Record `count` lines of one stream read once to the end, then end it; the debug lines. */
async function recordToEnd(dir: string, count: number): Promise<string[]> {
  const listeners: StreamListener[] = [];
  const debug: string[] = [];
  const recorder = HistoryRecorder.start(managerFor(listeners), {
    dir,
    config: defaultConfig().streaming,
    warn: (m) => {
      throw new Error(`unexpected warning: ${m}`);
    },
    debug: (m) => debug.push(m),
  });
  const once = { ...stream, follows: false } as StreamHandle;
  for (let n = 1; n <= count; n += 1000) {
    await listeners[0].onLines?.(once, batch(n, Math.min(1000, count - n + 1)), { all: true });
  }
  listeners[0].onEnd?.(once);
  await recorder.close();
  return debug;
}

Deno.test("history: a short run's only member is compressed without starting workers; a long one starts them", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // ~140 KB: one member, flushed by the stream's end.
    const short = await recordToEnd(`${dir}/short`, 2000);
    assert(!short.some((m) => m.includes("workers started")), short.join("\n"));
    const [file] = await listPartFiles(`${dir}/short`);
    assert(file.size < 140_000 / 3, `compressed: ${file.size} bytes`);
    // ~700 KB: members flushed while lines come go to the workers.
    const long = await recordToEnd(`${dir}/long`, 10_000);
    assert(long.some((m) => m.includes("workers started")), long.join("\n"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
