/**
 * `deno task bench model_soak` (opt-in): the seeded follower model of
 * tests/integration/follow_model_test.ts with many more seeds than CI runs (S9S_MODEL_SEEDS,
 * default 500 per mode; S9S_MODEL_SEED0 the first), in inotify and polling mode. Reports the
 * seeds that lost, tore, doubled or reordered a line (must be 0) and the time taken.
 * @module
 */
import { type BenchRow, ROOT } from "./_common.ts";

/** Run the model test with many seeds; one row per outcome. */
export async function run(): Promise<BenchRow[]> {
  const seeds = Number(Deno.env.get("S9S_MODEL_SEEDS") ?? 500);
  const t0 = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", `${ROOT}/tests/integration/follow_model_test.ts`],
    env: { S9S_MODEL_SEEDS: String(seeds), NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  const failed = [...text.matchAll(/"seed (\d+): ([^"]*)"/g)];
  const secs = (performance.now() - t0) / 1000;
  return [{
    case: `model ${seeds} seeds × 2 modes`,
    metric: "seeds with a line lost, torn, doubled or out of order",
    s9s: failed.length,
    reference: 0,
    unit: "seeds",
    note: `${
      out.success ? "all passed" : failed.map((m) => `seed ${m[1]}`).join(", ") ||
        "test failed: " + text.slice(-300)
    }; ${secs.toFixed(1)} s`,
  }];
}
