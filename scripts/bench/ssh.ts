/**
 * Case 5, SSH: 20 streams from one node over the loopback sshd of scripts/ssh_node.sh, with the
 * built-in client (history off and on) and with the openssh transport (the system ssh: one master,
 * 20 sessions over it; its ssh processes count in the CPU, RSS and connection figures).
 *
 * 20 files are followed from the start by (a) ONE s9s process started like the binary (the
 * `s9s` task's command line): `s9s stream --node HOST --path F1 … --path F20 --template
 * '{{content}}'`, its output to a file — once with history off and once with the default
 * configuration (history on); the config file only says how to reach the loopback node — and
 * (b) 20 OpenSSH clients `ssh node tail -n +1 -F FILE`, each writing to a file. The template
 * prints each line as it is, so both sides' output files grow by exactly the bytes appended.
 * Once every stream is live, a writer process appends ~100-byte lines as fast as it can, in
 * rounds (100 MB per round, 40 MB with S9S_BENCH_SHORT=1); MB/s per round = bytes appended /
 * time until the last byte arrived (median of the rounds). Rows: connections, MB/s, client CPU
 * (whole run, and while lines flow), lines lost, peak RSS.
 *
 * Writer mode (used by the case itself):
 *   deno run -A scripts/bench/ssh.ts write BLOCKS_PER_FILE FILE…
 * @module
 */
import {
  benchConfig,
  type BenchRow,
  benchTmp,
  logLine,
  median,
  procCpuSeconds,
  procPeakRssMb,
  ROOT,
  round,
  s9sCmd,
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
  /** TCP connections to the node, when {@link Progress.connectionsOpened} does not say. */
  connections?(): Promise<number>;
  /** The pids whose CPU and RSS count, when more than {@link procs} (openssh's ssh processes). */
  pids?(): number[];
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
  const pids = () => fol.pids?.() ?? fol.procs.map((q) => q.pid);
  const cpuOf = () => pids().reduce((a, pid) => a + procCpuSeconds(pid), 0);
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
    connections: fol.connections ? await fol.connections() : p.connectionsOpened,
    channels: p.channelsOpened,
    mbps,
    cpu,
    cpuDuring: cpu - cpuBefore,
    setupS: x.setupS,
    rss: pids().reduce((a, pid) => a + procPeakRssMb(pid), 0),
    lost: writtenLines - (fol.countLines ? await fol.countLines() : p.lines),
    written: writtenLines,
    bytes: written,
    writerMs,
    errors: p.errors,
  };
}

/** TCP connections the processes `pids` hold to the sshd on `port`. */
async function connectionsOf(pids: number[], port: string): Promise<number> {
  const ss = await timeShell(`ss -Htnp state established '( dport = :${port} )'`);
  return ss.stdout.split("\n").filter((l) => pids.some((p) => l.includes(`pid=${p},`))).length;
}

/**
 * s9s and the ssh processes of its openssh transport: its descendants (one ssh client per
 * followed file) and its masters, which went to the background (ControlPersist) and are found by
 * the ControlPath its clients name.
 */
function openSshFamily(pid: number): number[] {
  const procs: { pid: number; ppid: number; cmd: string }[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const cmd = Deno.readTextFileSync(`/proc/${e.name}/cmdline`).replaceAll("\0", " ");
      procs.push({ pid: Number(e.name), ppid, cmd });
    } catch { /* gone */ }
  }
  const family = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of procs) {
      if (!family.has(p.pid) && family.has(p.ppid)) grew = family.add(p.pid) !== undefined;
    }
  }
  const sockets = new Set<string>();
  for (const p of procs) {
    const m = family.has(p.pid) ? / -S (\S+)/.exec(p.cmd) : null;
    if (m) sockets.add(m[1]);
  }
  for (const p of procs) {
    if ([...sockets].some((s) => p.cmd.includes(`ControlPath=${s} `))) family.add(p.pid);
  }
  return [...family];
}

/** Progress of followers whose output files grow by exactly the bytes appended. */
function fileProgress(outs: string[]): () => Promise<Progress> {
  return () => {
    const sizes = outs.map((o) => {
      try {
        return Deno.statSync(o).size;
      } catch {
        return 0;
      }
    });
    const bytes = sizes.reduce((a, b) => a + b, 0);
    return Promise.resolve({
      // One output for all: until the writer starts, it holds only the files' ready lines.
      live: outs.length === 1
        ? Math.min(FILES, Math.floor(bytes / READY.length))
        : sizes.filter((n) => n > 0).length,
      lines: 0,
      bytes,
      errors: 0,
      connectionsOpened: 0,
      channelsOpened: 0,
    });
  };
}

/** Lines in the output files (wc is far faster than reading them here). */
async function countLines(outs: string[]): Promise<number> {
  const wc = await timeShell(`cat ${outs.map(sh).join(" ")} | wc -l`);
  return Number(wc.stdout.trim());
}

/** ONE s9s process, started like the binary, following all files on the node. */
function s9sFollowers(host: string, port: string, config: string, env: Record<string, string>) {
  return (files: string[], dir: string): Followers => {
    const out = `${dir}/out/s9s.txt`;
    const argv = s9sCmd(
      "--config",
      config,
      "stream",
      "-q",
      "--node",
      host,
      ...files.flatMap((f) => ["--path", f]),
      "--template",
      "{{content}}",
    );
    const err = `${dir}/out/s9s.err`;
    const proc = spawnGroup(
      ["bash", "-c", `exec ${argv.map(sh).join(" ")} > ${sh(out)} 2> ${sh(err)}`],
      { env },
    );
    const died = proc.status.then((st) => {
      throw new Error(
        `s9s exited (${st.code}): ${Deno.readTextFileSync(err).trim().slice(0, 300)}`,
      );
    });
    died.catch(() => {});
    return {
      procs: [proc],
      // A failed s9s ends the case with its message instead of a wait for lines that never come.
      progress: () => Promise.race([died, fileProgress([out])()]),
      countLines: () => countLines([out]),
      connections: () => connectionsOf(openSshFamily(proc.pid), port),
      pids: () => openSshFamily(proc.pid),
      stop: () => proc.stop(),
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
    return {
      procs,
      progress: async () => ({ ...(await fileProgress(outs)()), connectionsOpened: FILES }),
      countLines: () => countLines(outs),
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
  // How s9s reaches the loopback node; nothing else differs from the default configuration (its
  // max_concurrent_streams, 20, is one per --path).
  const ssh = `streaming:
  ssh:
    port: ${env.S9S_TEST_SSH_PORT}
    key_file: ${env.S9S_TEST_SSH_KEY}
    known_hosts: ${env.S9S_TEST_SSH_KNOWN_HOSTS}
    user: root
`;
  // The history rows measure the built-in client; the openssh row the system ssh (history off).
  const builtin = `${ssh}    transport: builtin\n`;
  const on = benchConfig("ssh-on", builtin);
  const off = benchConfig("ssh-off", `${builtin}  persistence:\n    enabled: false\n`);
  const openssh = benchConfig(
    "ssh-openssh",
    `${ssh}    transport: openssh\n  persistence:\n    enabled: false\n`,
  );
  const port = env.S9S_TEST_SSH_PORT;
  // One set after the other: 20 OpenSSH clients connecting at once fill sshd's MaxStartups, and
  // a connection s9s opened meanwhile would be dropped. Idle sets cost nothing while another
  // set is measured.
  const ready: Prepared[] = [];
  let ref: Outcome, hOff: Outcome, hOn: Outcome, oSsh: Outcome;
  try {
    ready.push(await prepare("ref", sshFollowers(host, port, env.S9S_TEST_SSH_KEY)));
    ready.push(await prepare("s9s-off", s9sFollowers(host, port, off.config, off.env)));
    ready.push(await prepare("s9s-on", s9sFollowers(host, port, on.config, on.env)));
    ready.push(
      await prepare("s9s-openssh", s9sFollowers(host, port, openssh.config, openssh.env)),
    );
    ref = await measure(ready[0], rounds, blocks);
    hOff = await measure(ready[1], rounds, blocks);
    hOn = await measure(ready[2], rounds, blocks);
    oSsh = await measure(ready[3], rounds, blocks);
  } finally {
    await Promise.all(ready.map(finish));
  }
  const c = "ssh 20 streams";
  const mb = (o: Outcome) => round(median(o.mbps), 1);
  const rs = (o: Outcome) => o.mbps.map((x) => round(x, 1)).join(", ");
  const both = (f: (o: Outcome) => number) => `${f(hOff)} | ${f(hOn)}`;
  const perRound = `${FILES} files × ${blocks} MB a round, ${rounds} round(s), median`;
  const who =
    "s9s = one `s9s stream --node … --path ×20` (task command line), built-in client, history off | on";
  const ossh = "s9s --ssh-transport openssh (history off): s9s plus its ssh master and clients";
  return [
    {
      case: c,
      metric: "SSH connections to the node (history off | on)",
      s9s: both((o) => o.connections),
      reference: FILES,
      unit: "conns",
      note: `${who}; target: one connection`,
    },
    {
      case: c,
      metric: "total MB/s received (history off | on)",
      s9s: both(mb),
      reference: mb(ref),
      unit: "MB/s",
      note: `rounds s9s ${rs(hOff)} | ${rs(hOn)} vs ssh ${rs(ref)}; ${perRound}; target ≥ 50`,
    },
    {
      case: c,
      metric: "client CPU while lines flow (history off | on vs 20 ssh)",
      s9s: both((o) => round(o.cpuDuring, 2)),
      reference: round(ref.cpuDuring, 2),
      unit: "s",
      note: `for ${Math.round(ref.bytes / 1e6)} MB; ratio ${
        round(hOff.cpuDuring / ref.cpuDuring, 2)
      } | ${round(hOn.cpuDuring / ref.cpuDuring, 2)} (target ≤ 2)`,
    },
    {
      case: c,
      metric: "client CPU whole run incl. start-up (history off | on vs 20 ssh)",
      s9s: both((o) => round(o.cpu, 2)),
      reference: round(ref.cpu, 2),
      unit: "s",
      note: `ratio ${round(hOff.cpu / ref.cpu, 2)} | ${
        round(hOn.cpu / ref.cpu, 2)
      }; time until all 20 streams live (one set after the other): s9s ${
        both((o) => round(o.setupS, 1))
      } s, ssh ${round(ref.setupS, 1)} s`,
    },
    {
      case: c,
      metric: "openssh transport: SSH connections to the node",
      s9s: oSsh.connections,
      reference: FILES,
      unit: "conns",
      note: `${ossh}; ${oSsh.channels || FILES} sessions over one master; target: one connection`,
    },
    {
      case: c,
      metric: "client CPU while lines flow (openssh | builtin vs 20 ssh)",
      s9s: `${round(oSsh.cpuDuring, 2)} | ${round(hOff.cpuDuring, 2)}`,
      reference: round(ref.cpuDuring, 2),
      unit: "s",
      note: `${ossh}; ratio ${round(oSsh.cpuDuring / ref.cpuDuring, 2)} | ${
        round(hOff.cpuDuring / ref.cpuDuring, 2)
      } (target openssh ≤ 1.3); MB/s ${mb(oSsh)}; lines lost ${oSsh.lost}`,
    },
    {
      case: c,
      metric: "peak RSS (s9s history off | on vs sum of 20 ssh)",
      s9s: both((o) => round(o.rss, 1)),
      reference: round(ref.rss, 1),
      unit: "MB",
    },
    {
      case: c,
      metric: "lines lost (history off | on vs ssh)",
      s9s: both((o) => o.lost),
      reference: ref.lost,
      unit: "lines",
      note: `of ${hOff.written} written per run (target 0)`,
    },
  ];
}

if (import.meta.main) {
  const [mode, ...args] = Deno.args;
  if (mode === "write") writer(args);
  else {
    console.error("usage: ssh.ts write BLOCKS FILE…");
    Deno.exit(2);
  }
}
