/**
 * How the config shapes the source a stream gets: `default_buffer_size` caps the reads that catch
 * up on what a file already holds (reads start at `buffer_size` and grow while behind); which
 * source a target gets; a just-started job's missing file is waited for before SSH is tried.
 */
import { deepStrictEqual, ok, strictEqual } from "node:assert";
import { StreamManager } from "../../../src/mod.ts";
import { defaultRawConfig } from "../../../src/config/defaults.ts";
import { configSchema } from "../../../src/config/schema.ts";
import type { StreamTarget } from "../../../src/core/stream_target.ts";
import { NO_DEBUG } from "../../../src/core/debug_log.ts";
import { APPEAR_GRACE_MS, SourceSelection } from "../../../src/engine/source_selection.ts";
import { UsageError } from "../../../src/errors.ts";
import { closedPort } from "../../_helpers/net.ts";

function config(streaming: Record<string, unknown>) {
  const raw = defaultRawConfig() as { streaming: Record<string, unknown> };
  raw.streaming.persistence = { ...(raw.streaming.persistence as object), enabled: false };
  Object.assign(raw.streaming, streaming);
  return configSchema.parse(raw);
}

/** The byte sizes of the batches a 2 MB file is read in. */
async function batchSizes(streaming: Record<string, unknown>): Promise<number[]> {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/big.out`;
  const line = "x".repeat(99) + "\n";
  await Deno.writeTextFile(path, line.repeat(20_000));
  const manager = new StreamManager({ config: config(streaming), keepBuffers: false });
  const sizes: number[] = [];
  manager.subscribe({ onLines: (_s, b) => void sizes.push(b.text.length) });
  try {
    await manager.startStream({ kind: "file", label: "big", path }, "stdout", { follow: false });
    await manager.done();
  } finally {
    manager.close();
    await Deno.remove(dir, { recursive: true });
  }
  strictEqual(sizes.reduce((a, b) => a + b, 0), line.length * 20_000, "every byte arrives");
  return sizes;
}

Deno.test("default_buffer_size caps the reads that catch up on an existing file", async () => {
  const small = await batchSizes({ buffer_size: "8KB", default_buffer_size: "16KB" });
  ok(Math.max(...small) <= 16 * 1024, `largest batch ${Math.max(...small)} bytes`);
  const large = await batchSizes({ buffer_size: "8KB", default_buffer_size: "1MB" });
  ok(Math.max(...large) > 16 * 1024, `largest batch ${Math.max(...large)} bytes`);
  ok(large.length < small.length, `${large.length} batches with 1MB, ${small.length} with 16KB`);
});

Deno.test("buffer_size is the read size as set, not raised to 4 KB", async () => {
  const sizes = await batchSizes({ buffer_size: "1KB", default_buffer_size: "1KB" });
  // A batch is one read plus the end of a line the read before began (lines are 100 bytes).
  ok(Math.max(...sizes) <= 1024 + 100, `largest batch ${Math.max(...sizes)} bytes`);
});

Deno.test("file_polling.batch_size caps the lines handed on in one batch", async () => {
  const sizes = await batchSizes({ file_polling: { use_inotify: true, batch_size: 50 } });
  // 100-byte lines: 50 lines are 5000 bytes.
  ok(Math.max(...sizes) <= 5000, `largest batch ${Math.max(...sizes) / 100} lines`);
  const unlimited = await batchSizes({ file_polling: { use_inotify: true, batch_size: 100_000 } });
  ok(Math.max(...unlimited) > 5000, `largest batch ${Math.max(...unlimited) / 100} lines`);
});

Deno.test("default_buffer_size is honoured above the default's 120 KB (no hidden cap)", async () => {
  const sizes = await batchSizes({ buffer_size: "64KB", default_buffer_size: "1MB" });
  ok(Math.max(...sizes) > 120 * 1024, `largest batch ${Math.max(...sizes)} bytes`);
});

Deno.test("SourceSelection decides every target's source in one place", async () => {
  const sel = new SourceSelection({
    config: config({}).streaming,
    debug: NO_DEBUG,
    progress: false,
  });
  const abort = new AbortController();
  const loc = (host?: string) => ({ path: "/tmp/x.out", from: "--path", exists: true, host });
  const kind = async (target: StreamTarget, l = loc()) =>
    (await sel.select({
      target,
      loc: l,
      follow: false,
      label: "t",
      type: "stdout",
      signal: abort.signal,
      status: () => {},
    })).kind;
  try {
    strictEqual(await kind({ kind: "step", jobId: "12", step: "0" }), "api");
    strictEqual(await kind({ kind: "file", label: "x", path: "/tmp/x.out" }), "file");
    strictEqual(await kind({ kind: "file", label: "x", path: "/tmp/x.out", node: "n1" }), "ssh");
    strictEqual(await kind({ kind: "job", jobId: "12", via: "file" }, loc("n1")), "file");
    strictEqual(await kind({ kind: "job", jobId: "12", via: "ssh" }, loc("n1")), "ssh");
    const noHost = await kind({ kind: "job", jobId: "12", via: "ssh" }).catch((e) => e);
    ok(noHost instanceof UsageError && /no node is known for "12"/.test(noHost.message));
  } finally {
    abort.abort();
    sel.close();
  }
});

/** A job target's source (`via: auto`) for a file whose node is this host on a closed port. */
async function autoSelect(path: string, statuses: string[], shared = true) {
  const ssh = (defaultRawConfig() as { streaming: { ssh: object } }).streaming.ssh;
  const sel = new SourceSelection({
    config: config({
      ssh: { ...ssh, transport: "builtin", port: closedPort(), retry_attempts: 1 },
    }).streaming,
    debug: NO_DEBUG,
    progress: false,
    // The test's directory (in /tmp or TMPDIR) stands for shared storage unless told otherwise.
    nodeLocal: shared ? () => false : undefined,
  });
  const abort = new AbortController();
  try {
    return (await sel.select({
      target: { kind: "job", jobId: "12", via: "auto" },
      loc: { path, from: "job", exists: false, host: "127.0.0.1" },
      follow: true,
      label: "12:stdout",
      type: "stdout",
      signal: abort.signal,
      status: (_state, message) => void statuses.push(message),
    })).kind;
  } finally {
    abort.abort();
    sel.close();
  }
}

Deno.test("a just-started job's file that shows up here a moment later is read here, without SSH", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/slurm-12.out`;
  const statuses: string[] = [];
  // slurmd makes the file as the step starts: a moment after the job is seen running.
  const made = new Promise<void>((resolve) =>
    setTimeout(() => Deno.writeTextFile(path, "").then(resolve), APPEAR_GRACE_MS / 4)
  );
  try {
    strictEqual(await autoSelect(path, statuses), "file");
    await made;
    // Before the wait, the node was asked at once: refused, it said so ("cannot be reached").
    deepStrictEqual(statuses, []);
  } finally {
    await made;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a file that does not show up here within the grace is asked of its node", async () => {
  const dir = await Deno.makeTempDir();
  const statuses: string[] = [];
  try {
    const t0 = Date.now();
    strictEqual(await autoSelect(`${dir}/slurm-12.out`, statuses), "file");
    ok(Date.now() - t0 >= APPEAR_GRACE_MS, `asked after ${Date.now() - t0} ms`);
    strictEqual(statuses.length, 1, statuses.join("\n"));
    ok(statuses[0].includes("cannot be reached over SSH"), statuses[0]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a missing file on node-local storage (/tmp, TMPDIR) is asked of its node at once", async () => {
  const dir = await Deno.makeTempDir();
  const statuses: string[] = [];
  try {
    const t0 = Date.now();
    strictEqual(await autoSelect(`${dir}/slurm-12.out`, statuses, false), "file");
    ok(Date.now() - t0 < APPEAR_GRACE_MS, `asked after ${Date.now() - t0} ms`);
    ok(statuses[0]?.includes("cannot be reached over SSH"), statuses.join("\n"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
