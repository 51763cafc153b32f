import { deepStrictEqual, ok } from "node:assert";
import { assert, waitFor } from "../../_helpers/assert.ts";
import { bufferForStream, StreamBuffer } from "../../../src/engine/stream_buffer.ts";
import { defaultConfig } from "../../../src/config/default_config.ts";
import { BufferBudget } from "../../../src/engine/buffer_budget.ts";
import type { LineBatch } from "../../../src/core/line_batch.ts";

function batch(first: number, count: number, time = 1_700_000_000_000 + first): LineBatch {
  let text = "";
  for (let i = 0; i < count; i++) text += `line ${first + i} ${"x".repeat((first + i) % 37)}\n`;
  return { text, count, firstLine: first, startOffset: 0, endOffset: 0, time };
}

const lineText = (n: number) => `line ${n} ${"x".repeat(n % 37)}`;

Deno.test("StreamBuffer never holds more than max_lines in memory and reads every line back", async () => {
  const budget = new BufferBudget(64 * 1024 * 1024);
  const b = new StreamBuffer({ maxLines: 1000, maxBytes: 10_000_000, budget });
  let maxHeld = 0;
  for (let n = 1; n <= 100_000; n += 250) {
    b.append(batch(n, 250));
    maxHeld = Math.max(maxHeld, b.length);
  }
  assert(maxHeld <= 1000, `held ${maxHeld} lines`);
  deepStrictEqual(b.discarded, 0);
  deepStrictEqual(b.totalLines, 100_000);
  deepStrictEqual([b.firstLineNum, b.lastLineNum], [1, 100_000]);
  const got = await b.readRange(1, 100_000);
  deepStrictEqual(got.length, 100_000);
  for (let i = 0; i < got.length; i += 997) deepStrictEqual(got[i].content, lineText(i + 1));
  assert(got.every((l, i) => l.num === i + 1), "line numbers in order");
  const mid = await b.readRange(50_000, 3);
  deepStrictEqual(mid.map((l) => l.content), [
    lineText(50_000),
    lineText(50_001),
    lineText(50_002),
  ]);
  deepStrictEqual(mid[0].time, 1_700_000_000_000 + 49_751);
  deepStrictEqual(b.tail(1)[0].num, 100_000);
  assert(b.chunkMemory > 0 && b.chunkMemory < b.totalLines * 10, "old lines are compressed");
  b.close();
  deepStrictEqual(budget.used, 0);
});

Deno.test("StreamBuffer respects max_size_per_stream for lines and for compressed chunks", () => {
  const b = new StreamBuffer({
    maxLines: 1_000_000,
    maxBytes: 20_000,
    budget: new BufferBudget(1 << 30),
  });
  for (let n = 1; n <= 20_000; n += 100) {
    b.append(batch(n, 100));
    assert(b.bytes <= 20_000, `holds ${b.bytes} bytes`);
    assert(b.chunkMemory <= 20_000, `holds ${b.chunkMemory} compressed bytes`);
  }
  // No spill directory: what did not fit is counted, the rest is readable.
  deepStrictEqual(b.discarded + b.totalLines, 20_000);
  b.close();
});

Deno.test("StreamBuffer spills to valid gzip files when the shared budget is short", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const budget = new BufferBudget(200_000);
    const a = new StreamBuffer({
      maxLines: 2000,
      maxBytes: 1 << 20,
      budget,
      spillDir: dir,
      name: "1:stdout",
    });
    const c = new StreamBuffer({
      maxLines: 2000,
      maxBytes: 1 << 20,
      budget,
      spillDir: dir,
      name: "2:stdout",
    });
    for (let n = 1; n <= 200_000; n += 500) {
      a.append(batch(n, 500));
      c.append(batch(n, 500));
      assert(budget.used <= budget.limit + 200_000, `budget used ${budget.used}`);
    }
    assert(a.spilledChunks > 0 && c.spilledChunks > 0, "both spilled");
    deepStrictEqual([a.discarded, c.discarded], [0, 0]);
    const all = await a.readRange(1, 200_000);
    deepStrictEqual(all.length, 200_000);
    assert(
      all.every((l, i) => l.num === i + 1 && l.content === lineText(i + 1)),
      "all lines back, in order",
    );
    // The spill file is a real gzip file holding the oldest lines, in order.
    const path = a.spillPath!;
    const test = await new Deno.Command("gzip", { args: ["-t", path] }).output();
    deepStrictEqual(test.code, 0, new TextDecoder().decode(test.stderr));
    const out = await new Deno.Command("gzip", { args: ["-dc", path] }).output();
    const lines = new TextDecoder().decode(out.stdout).split("\n").slice(0, -1);
    assert(lines.length > 1000, `spilled ${lines.length} lines`);
    assert(lines.every((l, i) => l === lineText(i + 1)), "spilled lines are the oldest, in order");
    // Search crosses tiers both ways.
    deepStrictEqual((await a.search(/^line 77 /, 1))?.num, 77);
    deepStrictEqual((await a.search(/^line 199999 /, 150_000))?.num, 199_999);
    deepStrictEqual((await a.search(/^line 5 /, 100_000, "backward"))?.num, 5);
    deepStrictEqual(await a.search(/^line 5 /, 6), undefined);
    // The synchronous view the TUI scrolls through reaches the spilled lines too.
    const view = a.all;
    deepStrictEqual(view.length, 200_000);
    deepStrictEqual(view.firstNum, 1);
    deepStrictEqual(view.slice(0, 3).map((l) => l.content), [
      lineText(1),
      lineText(2),
      lineText(3),
    ]);
    deepStrictEqual(view.slice(149_999, 2).map((l) => l.num), [150_000, 150_001]);
    deepStrictEqual(view.slice(199_999, 5).map((l) => l.num), [200_000]);
    a.close();
    c.close();
    deepStrictEqual(budget.used, 0);
    const left = [...Deno.readDirSync(`${dir}/spill`)];
    deepStrictEqual(left.length, 0, "spill files removed on close");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("StreamBuffer without a spill directory discards the oldest lines and counts them", async () => {
  const budget = new BufferBudget(50_000);
  const b = new StreamBuffer({ maxLines: 1000, maxBytes: 1 << 20, budget, compress: false });
  for (let n = 1; n <= 50_000; n += 500) b.append(batch(n, 500));
  assert(b.discarded > 0, "some lines discarded");
  deepStrictEqual(b.discarded + b.totalLines, 50_000);
  deepStrictEqual(b.firstLineNum, b.discarded + 1);
  const rest = await b.readRange(1, 50_000);
  deepStrictEqual(rest.length, b.totalLines);
  deepStrictEqual(rest[0].num, b.discarded + 1);
  assert(budget.used <= 50_000 + 40_000, `budget used ${budget.used}`);
  b.clear();
  deepStrictEqual([b.length, b.totalLines, b.bytes], [0, 0, 0]);
  assert(b.discarded > 0, "the count stays after clear");
  b.close();
});

Deno.test("StreamBuffer splits a batch larger than its cap and keeps the newest lines in memory", async () => {
  const b = new StreamBuffer({
    maxLines: 1000,
    maxBytes: 1 << 20,
    budget: new BufferBudget(1 << 30),
  });
  b.append(batch(1, 5000));
  assert(b.length <= 1000 && b.length > 0, `holds ${b.length}`);
  deepStrictEqual(b.tail(1)[0].content, lineText(5000));
  deepStrictEqual(b.slice(0, 1)[0].num, 5001 - b.length);
  deepStrictEqual(
    (await b.readRange(1, 5000)).map((l) => l.num),
    Array.from({ length: 5000 }, (_, i) => i + 1),
  );
  b.close();
});

Deno.test("StreamBuffer keeps slice and tail on the in-memory lines", () => {
  const b = new StreamBuffer({
    maxLines: 100,
    maxBytes: 1 << 20,
    budget: new BufferBudget(1 << 30),
  });
  b.append(batch(1, 10));
  deepStrictEqual(b.slice(2, 3).map((l) => l.num), [3, 4, 5]);
  deepStrictEqual(b.tail(2).map((l) => l.num), [9, 10]);
  b.append({ ...batch(11, 2), truncated: [0] });
  deepStrictEqual(b.tail(2).map((l) => !!l.truncated), [true, false]);
  b.close();
});

Deno.test("buffer.cleanup_interval: a quiet stream's lines are compressed at the next cleanup", async () => {
  const cfg = defaultConfig().streaming;
  cfg.persistence.enabled = false;
  cfg.buffer.cleanup_interval = 30;
  const b = bufferForStream(cfg, "quiet");
  try {
    b.append(batch(1, 100));
    deepStrictEqual(b.length, 100, "below the threshold nothing is compressed on append");
    await waitFor(() => b.length === 0, { timeout: 5_000, what: "the quiet buffer compressed" });
    deepStrictEqual(b.totalLines, 100);
    deepStrictEqual((await b.readRange(1, 100)).map((l) => l.content)[99], lineText(100));
  } finally {
    b.close();
  }
});

Deno.test("memory_limit: buffers together get half of it when that is below max_total_size", () => {
  const cfg = defaultConfig().streaming;
  cfg.memory_limit = 10 * 1024 * 1024;
  deepStrictEqual(BufferBudget.fromConfig(cfg).limit, 5 * 1024 * 1024);
  cfg.memory_limit = 1024 * 1024 * 1024;
  deepStrictEqual(BufferBudget.fromConfig(cfg).limit, cfg.buffer.max_total_size);
});

Deno.test("compression.enabled and compression.level decide how old lines are stored", () => {
  const held = (set: (c: ReturnType<typeof defaultConfig>["streaming"]) => void) => {
    const cfg = defaultConfig().streaming;
    cfg.persistence.enabled = false;
    cfg.buffer.max_lines = 1000;
    set(cfg);
    const b = bufferForStream(cfg, "c");
    try {
      for (let n = 1; n <= 20_000; n += 500) b.append(batch(n, 500));
      return b.chunkMemory;
    } finally {
      b.close();
    }
  };
  const stored = held((c) => (c.compression.enabled = false));
  const fast = held((c) => (c.compression.level = 1));
  const best = held((c) => (c.compression.level = 9));
  ok(stored > fast * 4, `stored ${stored} bytes, level 1 ${fast}`);
  ok(best < fast, `level 9 ${best} bytes, level 1 ${fast}`);
});

Deno.test("buffer.cleanup_threshold is the fill at which old lines start to be compressed", () => {
  const held = (threshold: number) => {
    const cfg = defaultConfig().streaming;
    cfg.persistence.enabled = false;
    cfg.buffer.max_lines = 1000;
    cfg.buffer.cleanup_threshold = threshold;
    const b = bufferForStream(cfg, "t");
    try {
      b.append(batch(1, 300));
      return b.length;
    } finally {
      b.close();
    }
  };
  deepStrictEqual(held(80), 300, "30% full: below an 80% threshold nothing is compressed");
  ok(held(20) < 300, "30% full: past a 20% threshold the oldest lines are compressed");
});
