/**
 * Case 5, SSH: 20 streams from one node over the loopback sshd of scripts/ssh_node.sh.
 *
 * 20 files are followed from the start by (a) ONE s9s process (this module run as a driver:
 * `SshFileSource` × 20 on one `SshPool`, the code `s9s stream` uses for a file it cannot see
 * locally), once with the default streaming.ssh.max_sessions_per_connection (8) and once with 20,
 * and (b) 20 OpenSSH clients `ssh node tail -n +1 -F FILE`, each writing to a file. Once every
 * stream is live (sshd session setup is slow in the sandbox), a writer process appends
 * ~100-byte lines as fast as it can, in rounds (100 MB per round, 30 MB with S9S_BENCH_SHORT=1);
 * MB/s per round = bytes appended / time until the last byte arrived (median of the rounds).
 * Rows: connections opened, MB/s, client CPU (whole run, and while lines flow), lines lost,
 * peak RSS.
 *
 * Driver and writer modes (used by the case itself):
 *   deno run -A --unsafe-proto scripts/bench/ssh.ts driver HOST MAX_SESSIONS FILE…
 *   deno run -A scripts/bench/ssh.ts write BLOCKS_PER_FILE FILE…
 * @module
 */
import {
  type BenchRow,
  benchTmp,
  logLine,
  median,
  procCpuSeconds,
  procPeakRssMb,
  ROOT,
  round,
  sh,
  SHORT,
  sleep,
  type Spawned,
  spawnGroup,
  timeShell,
  waitFor,
} from "./_common.ts";

const FILES = 20;
const READY = "# ready\n";
const SELF = `${ROOT}/scripts/bench/ssh.ts`;

/** One block of ~100-byte realistic lines, about 1 MB. */
function block(): { bytes: Uint8Array; lines: number } {
  let x = 7;
  const r = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  let s = "";
  let lines = 0;
  while (s.length < 1_000_000) {
    let line = logLine(lines, lines % 10 === 7, r);
    if (line.length < 96) line += " " + "k=v ".repeat((96 - line.length) >> 2);
    s += line + "\n";
    lines++;
  }
  return { bytes: new TextEncoder().encode(s), lines };
}

/** Writer mode: append BLOCKS_PER_FILE blocks to every file, interleaved; print what was written. */
function writer(args: string[]): void {
  const [blocksArg, ...files] = args;
  const { bytes, lines } = block();
  const handles = files.map((f) => Deno.openSync(f, { append: true }));
  for (let b = 0; b < Number(blocksArg); b++) {
    for (const h of handles) {
      let off = 0;
      while (off < bytes.length) off += h.writeSync(bytes.subarray(off));
    }
  }
  for (const h of handles) h.close();
  const n = Number(blocksArg);
  console.log(JSON.stringify({ lines: lines * n, bytes: bytes.length * n }));
}

/** Driver mode: one SshPool, one SshFileSource per file; progress as JSON lines until stdin closes. */
async function driver(args: string[]): Promise<void> {
  const [host, maxSessions, ...files] = args;
  const [{ defaultRawConfig }, { configSchema }, { SshPool }, { SshFileSource }] = await Promise
    .all([
      import("../../src/config/defaults.ts"),
      import("../../src/config/schema.ts"),
      import("../../src/sources/ssh_pool.ts"),
      import("../../src/sources/ssh.ts"),
    ]);
  const raw = defaultRawConfig() as { streaming: { ssh: Record<string, unknown> } };
  Object.assign(raw.streaming.ssh, {
    port: Number(Deno.env.get("S9S_TEST_SSH_PORT") || 22),
    key_file: Deno.env.get("S9S_TEST_SSH_KEY") ?? "",
    known_hosts: Deno.env.get("S9S_TEST_SSH_KNOWN_HOSTS") ?? "",
    user: "root",
    max_sessions_per_connection: Number(maxSessions),
  });
  const cfg = configSchema.parse(raw);
  const pool = new SshPool(cfg.streaming.ssh);
  const ac = new AbortController();
  const lines = files.map(() => 0);
  let bytes = 0;
  let errors = 0;
  const runs = files.map((f, i) =>
    new SshFileSource(host, f, {
      pool,
      signal: ac.signal,
      maxLineBytes: cfg.streaming.max_line_length,
      retryAttempts: cfg.streaming.ssh.retry_attempts,
    }).run({
      batch(b) {
        lines[i] += b.count;
        bytes += b.endOffset - b.startOffset;
      },
      status(s) {
        if (s.state === "retrying" || s.state === "error") errors++;
      },
    }).catch((e) => {
      errors++;
      console.error(`ssh bench driver: ${f}: ${(e as Error).message}`);
    })
  );
  let last = "";
  // Print only what changed: an idle driver costs nothing beyond s9s's own work.
  const report = () => {
    const s = JSON.stringify({
      live: lines.filter((n) => n > 0).length,
      lines: lines.reduce((a, b) => a + b, 0),
      bytes,
      errors,
      ...pool.stats,
    });
    if (s !== last) console.log(s);
    last = s;
  };
  const timer = setInterval(report, 25);
  for await (const _ of Deno.stdin.readable) { /* until the bench closes stdin */ }
  clearInterval(timer);
  report();
  ac.abort();
  pool.close();
  await Promise.race([Promise.all(runs), sleep(500)]);
  Deno.exit(0);
}

interface Progress {
  live: number;
  lines: number;
  bytes: number;
  errors: number;
  connectionsOpened: number;
  channelsOpened: number;
}

/** A follower set under test: how to read its progress and its processes. */
interface Followers {
  procs: { pid: number }[];
  progress(): Promise<Progress>;
  /** Lines received, when {@link Progress.lines} does not count them. */
  countLines?(): Promise<number>;
  stop(): Promise<void>;
}

interface Outcome {
  connections: number;
  channels: number;
  mbps: number[];
  cpu: number;
  cpuDuring: number;
  setupS: number;
  rss: number;
  lost: number;
  written: number;
  /** Bytes appended (ready lines included). */
  bytes: number;
  writerMs: number[];
  errors: number;
}

interface Prepared {
  tag: string;
  dir: string;
  files: string[];
  fol: Followers;
  setupS: number;
}

/** Create the files and start the followers; resolves once every stream has shown its first line. */
async function prepare(
  tag: string,
  start: (files: string[], dir: string) => Followers,
): Promise<Prepared> {
  const dir = `${benchTmp()}/ssh-${tag}`;
  Deno.mkdirSync(`${dir}/out`, { recursive: true });
  const files = Array.from(
    { length: FILES },
    (_, i) => `${dir}/job-${String(i).padStart(2, "0")}.out`,
  );
  for (const f of files) Deno.writeTextFileSync(f, READY);
  const t0 = performance.now();
  const fol = start(files, dir);
  let p = await fol.progress();
  const live = await waitFor(
    async () => {
      p = await fol.progress();
      return p.live >= FILES;
    },
    150_000,
    100,
  );
  if (!live) {
    await fol.stop();
    throw new Error(`${tag}: only ${p.live} of ${FILES} streams live after 150 s`);
  }
  return { tag, dir, files, fol, setupS: (performance.now() - t0) / 1000 };
}

async function finish(x: Prepared): Promise<void> {
  await x.fol.stop();
  Deno.removeSync(x.dir, { recursive: true });
}

/** Append `rounds` × `blocks` MB to every file of a prepared set and time their arrival. */
async function measure(x: Prepared, rounds: number, blocks: number): Promise<Outcome> {
  const { tag, files, fol } = x;
  let p = await fol.progress();
  const cpuOf = () => fol.procs.reduce((a, q) => a + procCpuSeconds(q.pid), 0);
  const cpuBefore = cpuOf();
  let written = READY.length * FILES;
  let writtenLines = FILES;
  const mbps: number[] = [];
  const writerMs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const target = written;
    const w0 = performance.now();
    const out = await new Deno.Command("deno", {
      args: ["run", "--allow-all", SELF, "write", String(blocks), ...files],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    const w1 = performance.now();
    const res = JSON.parse(new TextDecoder().decode(out.stdout)) as {
      lines: number;
      bytes: number;
    };
    written = target + res.bytes * FILES;
    writtenLines += res.lines * FILES;
    const done = await waitFor(
      async () => {
        p = await fol.progress();
        return p.bytes >= written;
      },
      180_000,
      10,
    );
    const t1 = performance.now();
    if (!done) throw new Error(`${tag}: ${written - p.bytes} bytes missing after 180 s`);
    mbps.push((res.bytes * FILES) / 1e6 / ((t1 - w0) / 1000));
    writerMs.push(w1 - w0);
  }
  await sleep(300);
  p = await fol.progress();
  const cpu = cpuOf();
  return {
    connections: p.connectionsOpened,
    channels: p.channelsOpened,
    mbps,
    cpu,
    cpuDuring: cpu - cpuBefore,
    setupS: x.setupS,
    rss: fol.procs.reduce((a, q) => a + procPeakRssMb(q.pid), 0),
    lost: writtenLines - (fol.countLines ? await fol.countLines() : p.lines),
    written: writtenLines,
    bytes: written,
    writerMs,
    errors: p.errors,
  };
}

/** ONE s9s process (the driver) following all files. */
function s9sFollowers(host: string, env: Record<string, string>, maxSessions: number) {
  return (files: string[]): Followers => {
    const prof = Deno.env.get("S9S_BENCH_SSH_PROF"); // a dir: write a V8 CPU profile there
    const child = new Deno.Command("deno", {
      args: [
        "run",
        "--allow-all",
        "--unsafe-proto",
        ...(prof ? ["--cpu-prof", `--cpu-prof-dir=${prof}`] : []),
        SELF,
        "driver",
        host,
        String(maxSessions),
        ...files,
      ],
      env,
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    let last: Progress = {
      live: 0,
      lines: 0,
      bytes: 0,
      errors: 0,
      connectionsOpened: 0,
      channelsOpened: 0,
    };
    const reading = (async () => {
      const dec = new TextDecoder();
      let rest = "";
      for await (const chunk of child.stdout) {
        rest += dec.decode(chunk, { stream: true });
        const nl = rest.lastIndexOf("\n");
        if (nl === -1) continue;
        const prev = rest.lastIndexOf("\n", nl - 1);
        last = JSON.parse(rest.slice(prev + 1, nl));
        rest = rest.slice(nl + 1);
      }
    })().catch(() => {});
    return {
      procs: [child],
      progress: () => Promise.resolve(last),
      async stop() {
        try {
          await child.stdin.close();
        } catch { /* closed */ }
        const t = setTimeout(() => {
          try {
            child.kill("SIGKILL");
          } catch { /* gone */ }
        }, 5000);
        await child.status;
        clearTimeout(t);
        await reading;
      },
    };
  };
}

/** 20 OpenSSH clients, `ssh node tail -n +1 -F FILE > out/I`. */
function sshFollowers(host: string, port: string, key: string) {
  return (files: string[], dir: string): Followers => {
    const outs = files.map((_, i) => `${dir}/out/${i}.txt`);
    const procs: Spawned[] = files.map((f, i) =>
      spawnGroup([
        "bash",
        "-c",
        `exec ssh -i ${sh(key)} -p ${port} -o BatchMode=yes -o StrictHostKeyChecking=no ` +
        `-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR root@${host} ` +
        `${sh(`tail -n +1 -F -- ${sh(f)}`)} > ${sh(outs[i])}`,
      ])
    );
    const sizes = () =>
      outs.map((o) => {
        try {
          return Deno.statSync(o).size;
        } catch {
          return 0;
        }
      });
    return {
      procs,
      progress() {
        const s = sizes();
        return Promise.resolve({
          live: s.filter((n) => n > 0).length,
          lines: 0,
          bytes: s.reduce((a, b) => a + b, 0),
          errors: 0,
          connectionsOpened: FILES,
          channelsOpened: FILES,
        });
      },
      async countLines() {
        // wc is far faster than reading the files here.
        const wc = await timeShell(`cat ${outs.map(sh).join(" ")} | wc -l`);
        return Number(wc.stdout.trim());
      },
      async stop() {
        await Promise.all(procs.map((x) => x.stop()));
      },
    };
  };
}

function unavailable(why: string): BenchRow[] {
  return [{
    case: "ssh 20 streams",
    metric: "connections, MB/s, CPU vs ssh node tail -F",
    s9s: "not measured",
    reference: "",
    unit: "",
    note: why,
  }];
}

/** Run the case. */
export async function run(): Promise<BenchRow[]> {
  const start = await timeShell(`bash ${sh(`${ROOT}/scripts/ssh_node.sh`)} start`);
  if (start.code !== 0) {
    return unavailable(`no loopback sshd (scripts/ssh_node.sh start): ${start.stderr.trim()}`);
  }
  const envText = (await timeShell(`bash ${sh(`${ROOT}/scripts/ssh_node.sh`)} env`)).stdout;
  const env: Record<string, string> = {};
  for (const m of envText.matchAll(/^export (\w+)=(.*)$/gm)) env[m[1]] = m[2];
  const host = env.S9S_TEST_SSH_HOST ?? "127.0.0.1";
  const rounds = SHORT ? 1 : 3;
  const blocks = SHORT ? 2 : 5; // ~1 MB blocks per file per round → 40 MB / 100 MB a round
  // Session setup is slow in the sandbox (sshd sets sessions up one after the other, ~1.5 s
  // each): start the follower sets at once, then measure them one after the other (idle sets
  // cost nothing meanwhile). The short run skips the default 8-sessions set (20 sessions less).
  const sets = await Promise.allSettled([
    prepare("ref", sshFollowers(host, env.S9S_TEST_SSH_PORT, env.S9S_TEST_SSH_KEY)),
    prepare("s9s-20", s9sFollowers(host, env, 20)),
    ...(SHORT ? [] : [prepare("s9s-8", s9sFollowers(host, env, 8))]),
  ]);
  const ready = sets.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  let ref: Outcome, one: Outcome;
  let pooled: Outcome | undefined;
  try {
    const failed = sets.find((s) => s.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
    ref = await measure(ready[0], rounds, blocks);
    one = await measure(ready[1], rounds, blocks);
    if (ready[2]) pooled = await measure(ready[2], rounds, blocks);
  } finally {
    await Promise.all(ready.map(finish));
  }
  const p8 = (f: (o: Outcome) => number | string): number | string =>
    pooled ? f(pooled) : "skipped (short run)";
  const c = "ssh 20 streams";
  const mb = (o: Outcome) => round(median(o.mbps), 1);
  const rs = (o: Outcome) => o.mbps.map((x) => round(x, 1)).join(", ");
  const perRound = `${FILES} files × ${blocks} MB a round, ${rounds} round(s), median`;
  const driverNote =
    "s9s = one process running SshFileSource × 20 on one SshPool (the code s9s stream uses for a file not visible locally; lines counted, not printed)";
  return [
    {
      case: c,
      metric: "SSH connections opened (default: 8 sessions/connection)",
      s9s: p8((o) => o.connections),
      reference: FILES,
      unit: "conns",
      note: `${p8((o) => o.channels)} channels; ${driverNote}`,
    },
    {
      case: c,
      metric: "SSH connections opened (max_sessions_per_connection: 20)",
      s9s: one.connections,
      reference: FILES,
      unit: "conns",
      note: `${one.channels} channels (target: one connection)`,
    },
    {
      case: c,
      metric: "total MB/s received (default 8/conn)",
      s9s: p8(mb),
      reference: mb(ref),
      unit: "MB/s",
      note: `rounds s9s ${p8(rs)} vs ssh ${rs(ref)}; ${perRound}; target ≥ 50`,
    },
    {
      case: c,
      metric: "total MB/s received (20/conn, one connection)",
      s9s: mb(one),
      reference: mb(ref),
      unit: "MB/s",
      note: `rounds s9s ${rs(one)}; writer took ${
        one.writerMs.map((x) => Math.round(x)).join(", ")
      } ms a round; target ≥ 50`,
    },
    {
      case: c,
      metric: "client CPU while lines flow (8/conn | 20/conn vs 20 ssh)",
      s9s: `${p8((o) => round(o.cpuDuring, 2))} | ${round(one.cpuDuring, 2)}`,
      reference: round(ref.cpuDuring, 2),
      unit: "s",
      note: `for ${Math.round(ref.bytes / 1e6)} MB; ratio (20/conn) ${
        round(one.cpuDuring / ref.cpuDuring, 2)
      }`,
    },
    {
      case: c,
      metric: "client CPU whole run incl. start-up (8/conn | 20/conn vs 20 ssh)",
      s9s: `${p8((o) => round(o.cpu, 2))} | ${round(one.cpu, 2)}`,
      reference: round(ref.cpu, 2),
      unit: "s",
      note: `time until all 20 streams live (the three sets started at once): s9s ${
        p8((o) => round(o.setupS, 1))
      } | ${round(one.setupS, 1)} s, ssh ${round(ref.setupS, 1)} s`,
    },
    {
      case: c,
      metric: "peak RSS (s9s vs sum of 20 ssh)",
      s9s: `${p8((o) => round(o.rss, 1))} | ${round(one.rss, 1)}`,
      reference: round(ref.rss, 1),
      unit: "MB",
    },
    {
      case: c,
      metric: "lines lost (8/conn | 20/conn vs ssh)",
      s9s: `${p8((o) => o.lost)} | ${one.lost}`,
      reference: ref.lost,
      unit: "lines",
      note: `of ${one.written} written per run (target 0); stream errors/retries s9s ${
        (pooled?.errors ?? 0) + one.errors
      }`,
    },
  ];
}

if (import.meta.main) {
  const [mode, ...args] = Deno.args;
  if (mode === "driver") await driver(args);
  else if (mode === "write") writer(args);
  else {
    console.error("usage: ssh.ts driver HOST MAX_SESSIONS FILE… | write BLOCKS FILE…");
    Deno.exit(2);
  }
}
