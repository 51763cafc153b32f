/**
 * A seeded model of writers, in the manner of Vector's file-source model tests (our own code):
 * each seed draws a sequence of actions — write lines, rotate (rename and create), copytruncate,
 * pause — with fixed weights, runs it flat out against a file, and `s9s stream` follows every
 * seed's file at once, in inotify mode and in polling mode. What must hold for every seed: no
 * line torn, doubled or out of order; every line delivered except those copytruncate may take
 * (written to the file before a copy-and-truncate, and possibly not read before it).
 *
 * `S9S_MODEL_SEEDS` sets the seeds per mode (default 24), `S9S_MODEL_SEED0` the first seed:
 * `S9S_MODEL_SEEDS=500 deno task -q test tests/integration/follow_model_test.ts` for a soak.
 */
import { assert, assertEquals, waitFor } from "../_helpers/assert.ts";
import { S9sProcess, testEnv } from "../_helpers/cli.ts";
import {
  audit,
  FOLLOW_MODES,
  lineOf,
  runWriters,
  type WriterAction,
} from "../_helpers/log_writers.ts";
import { prng } from "../_helpers/prng.ts";
import { tempHome } from "../_helpers/temp_dir.ts";

const SEEDS = Number(Deno.env.get("S9S_MODEL_SEEDS") ?? 24);
const SEED0 = Number(Deno.env.get("S9S_MODEL_SEED0") ?? 1);
const STEPS = 60;

/** The weights of the actions: write, pause, rotate, copytruncate. */
const WEIGHTS = [["write", 50], ["pause", 22], ["rotate", 20], ["copytruncate", 8]] as const;

/** One seed's actions, its last line, the lines copytruncate may take, and its rotations. */
export function plan(seed: number, path: string) {
  const r = prng(seed);
  const total = WEIGHTS.reduce((s, [, w]) => s + w, 0);
  const actions: WriterAction[] = [];
  const atRisk = new Set<number>();
  let current: number[] = []; // lines in the file at the path now
  let n = 1; // line 1 is in the file before the follower starts
  let rotations = 0;
  let copies = 0;
  for (let i = 0; i < STEPS; i++) {
    let pick = r() * total;
    const [kind] = WEIGHTS.find(([, w]) => (pick -= w) < 0) ?? WEIGHTS[0];
    if (kind === "write") {
      const count = 1 + Math.floor(r() ** 2 * 200);
      actions.push({ write: n + 1, count });
      for (let k = 1; k <= count; k++) current.push(n + k);
      n += count;
    } else if (kind === "pause") {
      actions.push({ pause: Math.floor(r() * 6) });
    } else if (kind === "rotate") {
      actions.push({ rotate: true });
      current = [];
      rotations++;
    } else {
      // The copy is named apart from the rotated generations (job.out.1 …): a follower cannot
      // tell a copy from a generation born in the same poll interval by its name.
      actions.push({ copytruncate: true, to: `${path}.copy${++copies}` });
      for (const l of current) atRisk.add(l);
      current = [];
    }
  }
  actions.push({ write: n + 1, count: 5 });
  n += 5;
  return { actions, last: n, atRisk, rotations };
}

const MODES = FOLLOW_MODES.map((m) => ({
  ...m,
  config: `${m.config}  max_concurrent_streams: 1000\n`,
}));

/**
 * Seeds followed by one s9s: the test helper keeps at most MAX_KEPT_LINES of a process's output
 * (a seed writes up to ~3,000 lines), so a soak of hundreds of seeds runs in groups.
 */
const GROUP = 50;

/** Follow `seeds` with one s9s under `config`, run their writers; the seeds that failed. */
async function runGroup(config: string, seeds: number[]): Promise<string[]> {
  const { dir, home } = await tempHome("s9s-model-");
  await Deno.writeTextFile(`${dir}/c.yaml`, config);
  const paths = new Map<number, string>();
  for (const seed of seeds) {
    await Deno.mkdir(`${dir}/s${seed}`);
    const path = `${dir}/s${seed}/seed${seed}.log`;
    await Deno.writeTextFile(path, lineOf(1) + "\n");
    paths.set(seed, path);
  }
  const args = ["stream", "--config", `${dir}/c.yaml`, "--type", "stdout"];
  for (const path of paths.values()) args.push("--path", path);
  const p = new S9sProcess(args, { env: testEnv(home) });
  const got = new Map<number, string[]>(seeds.map((s) => [s, []]));
  let parsed = 0;
  const collect = () => {
    for (; parsed < p.lines.length; parsed++) {
      // One stream prints plain lines; several, each with its [label:type] prefix.
      const m = /^\[seed(\d+)\.log:stdout\] (.*)$/.exec(p.lines[parsed]);
      if (m) got.get(Number(m[1]))!.push(m[2]);
      else if (seeds.length === 1) got.get(seeds[0])!.push(p.lines[parsed]);
    }
  };
  try {
    await waitFor(() => (collect(), seeds.every((s) => got.get(s)!.length >= 1)), {
      what: "every seed's first line",
    });
    const plans = seeds.map((s) => plan(s, paths.get(s)!));
    await runWriters(plans.map((pl, i) => ({
      kind: "actions" as const,
      path: paths.get(seeds[i])!,
      backups: pl.rotations + 1,
      actions: pl.actions,
    })));
    // Every seed ends with five lines that stay: wait for each seed's last line.
    await waitFor(
      () => (collect(), plans.every((pl, i) => got.get(seeds[i])!.includes(lineOf(pl.last)))),
      { timeout: 30_000, what: "every seed's last line" },
    ).catch(() => {});
    await p.stop();
    collect();
    assert(p.dropped === 0, `the test helper dropped ${p.dropped} lines: smaller groups`);
    return plans.map((pl, i) => {
      const must = new Set<number>();
      for (let k = 1; k <= pl.last; k++) if (!pl.atRisk.has(k)) must.add(k);
      const verdict = audit(got.get(seeds[i])!, pl.last, must);
      return verdict === "ok" ? "" : `seed ${seeds[i]}: ${verdict}`;
    }).filter(Boolean);
  } finally {
    await p.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

for (const mode of MODES) {
  Deno.test(`stream (${mode.name}) model: ${SEEDS} seeded writers that write, rotate, copytruncate and pause lose, tear, double or reorder nothing`, async () => {
    const failures: string[] = [];
    for (let first = 0; first < SEEDS; first += GROUP) {
      const count = Math.min(GROUP, SEEDS - first);
      const seeds = Array.from({ length: count }, (_, i) => SEED0 + first + i);
      failures.push(...await runGroup(mode.config, seeds));
    }
    assertEquals(failures, [], `${failures.length} of ${SEEDS} seeds`);
  });
}
