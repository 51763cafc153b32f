/**
 * Issue 11, through the real CLI: a file truncated and rewritten at once, rewritten to the same
 * length, unreadable while followed, not a regular file; control characters on a real terminal
 * and in JSON; catastrophic regexes (run as the `s9s` task runs) and Ctrl+C meanwhile; running
 * out of file descriptors.
 */
import { assert, assertEquals, assertStringIncludes, waitFor } from "../_helpers/assert.ts";
import {
  followFile,
  ROOT,
  runS9s,
  s9sArgv,
  S9sProcess,
  taskV8Flags,
  testEnv,
} from "../_helpers/cli.ts";
import { addStream, withTmux } from "../_helpers/tmux.ts";
import { FileSource } from "../../src/sources/file.ts";
import { UserFacingError } from "../../src/errors.ts";
import { tempHome } from "../_helpers/temp_dir.ts";

interface Ev {
  type: string;
  content: string;
  line_num: number;
  state?: string;
  highlights?: string[];
}

const enc = new TextEncoder();

function lines(from: number, to: number, word = "line"): string {
  let s = "";
  for (let i = from; i <= to; i++) s += `${word} ${i} ${"x".repeat(i % 50)}\n`;
  return s;
}

/** Rewrite `path` in place: open(O_TRUNC), then write at once (as a job rewriting its output). */
async function rewrite(path: string, text: string): Promise<void> {
  const f = await Deno.open(path, { write: true, truncate: true });
  try {
    await f.write(enc.encode(text));
  } finally {
    f.close();
  }
}

const MODES = [
  { name: "inotify", config: "streaming:\n  polling_interval: 100ms\n" },
  {
    name: "polling only",
    config: "streaming:\n  polling_interval: 50ms\n  file_polling:\n    use_inotify: false\n",
  },
];

function follow(path: string, home: string, config: string, extra: string[] = []) {
  return followFile(path, home, { config, events: true, extra });
}

function content(p: S9sProcess): Ev[] {
  return p.json<Ev>().filter((e) => e.type === "stdout");
}

for (const mode of MODES) {
  Deno.test(`stream (${mode.name}) reads a file truncated and at once rewritten longer from its start, once`, async () => {
    const { dir, home } = await tempHome("s9s-rel-");
    const path = `${dir}/job.out`;
    await Deno.writeTextFile(`${dir}/c.yaml`, mode.config);
    await Deno.writeTextFile(path, lines(1, 500));
    const p = follow(path, home, `${dir}/c.yaml`);
    try {
      await waitFor(() => content(p).length >= 500, { what: "500 lines" });
      // copytruncate and the writer going on at once: by the time s9s looks, the new content is
      // longer than the old, so the size alone says "grew".
      await Deno.copyFile(path, `${path}.1`);
      await rewrite(path, lines(501, 1100));
      await waitFor(() => content(p).length >= 1100, {
        what: `1100 lines (have ${content(p).length}) ${p.stderr}`,
      });
      const all = content(p);
      assertEquals(all.length, 1100, "no line lost or doubled");
      all.forEach((e, i) =>
        assertEquals([e.line_num, e.content], [i + 1, lines(i + 1, i + 1).slice(0, -1)])
      );
      assert(p.json<Ev>().some((e) => /truncated or rewritten/.test(e.content)), "a status event");
    } finally {
      await p.stop();
      await Deno.remove(dir, { recursive: true });
    }
  });

  Deno.test(`stream (${mode.name}) sees a rewrite to the same length and says so`, async () => {
    const { dir, home } = await tempHome("s9s-rel-");
    const path = `${dir}/job.out`;
    await Deno.writeTextFile(`${dir}/c.yaml`, mode.config);
    const gen = (w: string) => Array.from({ length: 100 }, (_, i) => `${w} ${i}\n`).join("");
    await Deno.writeTextFile(path, gen("old"));
    const p = follow(path, home, `${dir}/c.yaml`);
    try {
      await waitFor(() => content(p).length >= 100, { what: "100 lines" });
      await rewrite(path, gen("new"));
      assertEquals((await Deno.stat(path)).size, enc.encode(gen("old")).length);
      await waitFor(() => content(p).length >= 200, {
        what: `200 lines (have ${content(p).length})`,
      });
      const all = content(p);
      assertEquals(all.length, 200);
      assertEquals(all[100].content, "new 0");
      assertEquals(all[100].line_num, 101);
      assertEquals(all[199].content, "new 99");
      assert(p.json<Ev>().some((e) => /truncated or rewritten/.test(e.content)), "a status event");
    } finally {
      await p.stop();
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("stream reports a followed file it can no longer check, keeps going, and says when it is back", async () => {
  const { dir, home } = await tempHome("s9s-rel-");
  await Deno.mkdir(`${dir}/sub`);
  const path = `${dir}/sub/job.out`;
  await Deno.writeTextFile(`${dir}/c.yaml`, MODES[1].config);
  await Deno.writeTextFile(path, "one\n");
  const p = follow(path, home, `${dir}/c.yaml`);
  try {
    await waitFor(() => content(p).length >= 1);
    // The path now fails with ELOOP (neither "not found" nor the same file): must be reported.
    await Deno.rename(`${dir}/sub`, `${dir}/real`);
    await Deno.symlink(`${dir}/sub`, `${dir}/sub`);
    await waitFor(() => p.json<Ev>().find((e) => e.state === "retrying"), {
      what: `a retrying event: ${p.lines.join("\n")}`,
    });
    const ev = p.json<Ev>().find((e) => e.state === "retrying")!;
    assertStringIncludes(ev.content, `cannot check "${path}"`);
    assertStringIncludes(ev.content, "symbolic links");
    await Deno.remove(`${dir}/sub`);
    await Deno.rename(`${dir}/real`, `${dir}/sub`);
    await waitFor(() => p.json<Ev>().find((e) => /can be read again/.test(e.content)));
    await Deno.writeTextFile(path, "two\n", { append: true });
    await waitFor(() => content(p).length >= 2);
    assertEquals(content(p).map((e) => e.content), ["one", "two"]);
  } finally {
    await p.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileSource ends in an error naming the file when it stays unreadable past errorAfterMs", async () => {
  const { dir } = await tempHome("s9s-rel-");
  await Deno.mkdir(`${dir}/sub`);
  const path = `${dir}/sub/job.out`;
  await Deno.writeTextFile(path, "one\n");
  const statuses: string[] = [];
  const got: string[] = [];
  const src = new FileSource(path, { pollIntervalMs: 20, errorAfterMs: 300 });
  const run = src.run({
    batch: (b) => void got.push(b.text),
    status: (s) => void statuses.push(`${s.state}: ${s.message}`),
  });
  try {
    await waitFor(() => got.length > 0);
    await Deno.rename(`${dir}/sub`, `${dir}/real`);
    await Deno.symlink(`${dir}/sub`, `${dir}/sub`);
    let err: unknown;
    await run.catch((e) => (err = e));
    assert(err instanceof UserFacingError, `expected a UserFacingError, got ${err}`);
    assertStringIncludes(err.message, `cannot check "${path}"`);
    assertEquals(statuses.filter((s) => s.startsWith("retrying")).length, 1, "reported once");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function mkfifo(path: string): Promise<void> {
  const r = await new Deno.Command("mkfifo", { args: [path] }).output();
  assert(r.success, "mkfifo");
}

Deno.test("stream refuses what is not a regular file with --no-follow, and waits for a FIFO's writer when following", async () => {
  const { dir, home } = await tempHome("s9s-rel-");
  const fifo = `${dir}/pipe`;
  await mkfifo(fifo);
  try {
    const a = await runS9s(["stream", "--path", fifo, "--no-follow"], { env: testEnv(home) });
    assertEquals(a.code, 1, a.stderr);
    assertStringIncludes(
      a.stderr,
      `error: "${fifo}" is a FIFO (named pipe), not a regular output file`,
    );
    const z = await runS9s(["stream", "--path", "/dev/zero", "--no-follow"], {
      env: testEnv(home),
    });
    assertEquals(z.code, 1, z.stderr);
    assertStringIncludes(z.stderr, `error: "/dev/zero" is a character device`);
    const zf = await runS9s(["stream", "--path", "/dev/zero"], { env: testEnv(home) });
    assertEquals(zf.code, 1, zf.stderr);

    const p = new S9sProcess(["stream", "--path", fifo], { env: testEnv(home) });
    try {
      await p.waitForStderr("waiting for a writer");
      const w = await Deno.open(fifo, { write: true });
      await w.write(enc.encode("hello\nworld\n"));
      await p.waitForLines(2);
      w.close();
      const st = await p.finished();
      assertEquals(p.lines, ["hello", "world"]);
      assertEquals(st.code, 0, p.stderr);
    } finally {
      await p.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Run s9s with stdout on a real terminal (a pty from `script`); returns what the terminal got. */
async function onTerminal(args: string[], env: Record<string, string>): Promise<string> {
  const cmd = [Deno.execPath(), "run", "-A", "--unsafe-proto", `${ROOT}main.ts`, ...args]
    .map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
  const out = await new Deno.Command("script", {
    args: ["-qfec", `${cmd} 2>/dev/null`, "/dev/null"],
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return new TextDecoder().decode(out.stdout);
}

const HOSTILE = "reset\x1bcafter\n" +
  "title\x1b]0;pwned\x07end\n" +
  "csi8\u009b2Jend\n" +
  "bidi\u202eevil\u2066iso\u2069\n" +
  "color\x1b[31mred\x1b[0m\n" +
  "tab\there\n";

Deno.test("stream on a terminal lets only SGR colors through and shows every other control", async () => {
  const { dir, home } = await tempHome("s9s-rel-");
  const path = `${dir}/job.out`;
  await Deno.writeTextFile(path, HOSTILE);
  try {
    // NO_COLOR "" (as if unset): `deno task test` sets it for the whole run.
    const env = {
      S9S_HOME: home,
      TERM: "xterm",
      HOME: Deno.env.get("HOME") ?? "/root",
      NO_COLOR: "",
    };
    const out = (await onTerminal(["stream", "--path", path, "--no-follow"], env))
      .replaceAll("\r\n", "\n");
    assertStringIncludes(out, "reset\u241bcafter\n");
    assertStringIncludes(out, "title\u241b]0;pwned\u2407end\n");
    assertStringIncludes(out, "csi8\\u009b2Jend\n");
    assertStringIncludes(out, "bidi\\u202eevil\\u2066iso\\u2069\n");
    assertStringIncludes(out, "color\x1b[31mred\x1b[0m\n");
    assertStringIncludes(out, "tab\there\n");
    // Nothing else reaches the terminal: every ESC left starts an SGR, no C1, no bidi.
    // deno-lint-ignore no-control-regex
    const escs = [...out.matchAll(/\x1b/g)].map((m) => out.slice(m.index, m.index + 12));
    for (const e of escs) {
      assert(
        // deno-lint-ignore no-control-regex
        /^\x1b\[[0-9;]*m/.test(e),
        `a non-SGR escape reached the terminal: ${JSON.stringify(e)}`,
      );
    }
    assert(!/[\u0080-\u009f\u202a-\u202e\u2066-\u2069]/.test(out), "no C1 or bidi character");

    // NO_COLOR: colors from the log are dropped too, the rest still shown.
    const plain = await onTerminal(["stream", "--path", path, "--no-follow"], {
      ...env,
      NO_COLOR: "1",
    });
    assert(!plain.includes("\x1b"), `no escape at all with NO_COLOR: ${JSON.stringify(plain)}`);
    assertStringIncludes(plain, "colorred");

    // JSON escapes C1 and bidi (JSON.stringify does not), losslessly.
    const j = await runS9s(["stream", "--path", path, "--no-follow", "-o", "json"], {
      env: testEnv(home),
    });
    assertEquals(j.code, 0, j.stderr);
    assert(!/[\u0080-\u009f\u202a-\u202e\u2066-\u2069]/.test(j.stdout), "raw C1/bidi in JSON");
    assertStringIncludes(j.stdout, "csi8\\u009b2Jend");
    const evs = j.stdout.trim().split("\n").map((l) => JSON.parse(l) as Ev);
    assertEquals(evs.map((e) => e.content).join("\n") + "\n", HOSTILE);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** The command line of deno.json's `s9s` task (its V8 flags included), with `args` after it. */
function taskCommand(args: string[], home: string): Deno.Command {
  const deno = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
  const words = (deno.tasks.s9s as string).split(/\s+/);
  assertEquals(words[0], "deno", "the s9s task runs deno");
  return new Deno.Command(Deno.execPath(), {
    args: [...words.slice(1), ...args],
    env: testEnv(home),
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

const EVIL = "a".repeat(40) + "b"; // (a+)+$ backtracks 2^40 times on it without the fallback

Deno.test("user regexes with catastrophic backtracking run in linear time: filters, highlights, alerts (as the s9s task runs)", async () => {
  const { dir, home } = await tempHome("s9s-rel-");
  const path = `${dir}/job.out`;
  let text = "";
  for (let i = 0; i < 50; i++) text += `${EVIL}\nline ${i}\n${"a".repeat(i + 1)}\n`;
  await Deno.writeTextFile(path, text);
  await Deno.writeTextFile(
    `${dir}/c.yaml`,
    [
      "streaming:",
      "  filters:",
      '    - { name: evil, pattern: "(a+)+$", action: highlight, color: red }',
      "  alerts:",
      '    - { name: evil-alert, pattern: "(a+)+$", action: notification, cooldown: 0s }',
    ].join("\n") + "\n",
  );
  try {
    const t0 = Date.now();
    const out = await taskCommand([
      "stream",
      "--path",
      path,
      "--no-follow",
      "--config",
      `${dir}/c.yaml`,
      "-o",
      "json",
      "--filter",
      "(a+)+$",
      "--exclude",
      "^(x+x+)+y$",
    ], home).output();
    const ms = Date.now() - t0;
    const stdout = new TextDecoder().decode(out.stdout);
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 0, stderr);
    const evs = stdout.trim().split("\n").map((l) => JSON.parse(l) as Ev);
    assertEquals(evs.length, 50, "the all-a lines, and only those");
    assert(evs.every((e) => /^a+$/.test(e.content) && e.highlights?.[0] === "evil"));
    assertEquals(stderr.split("\n").filter((l) => l.startsWith("s9s: alert (info)")).length, 50);
    // Without V8's linear fallback one such line takes minutes; with it, all run in milliseconds.
    assert(ms < 15_000, `took ${ms} ms`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

for (const sig of ["SIGINT", "SIGTERM"] as const) {
  Deno.test(`${sig} ends s9s promptly while a regex the linear engine cannot take keeps it busy`, async () => {
    const { dir, home } = await tempHome("s9s-rel-");
    const path = `${dir}/job.out`;
    await Deno.writeTextFile(path, "start\n");
    // A back-reference keeps V8 on its backtracking engine: this filter runs for hours on EVIL.
    const child = taskCommand(["stream", "--path", path, "--filter", "^(a+)+\\1$"], home).spawn();
    const dec = new TextDecoder();
    let stderr = "";
    const pump = (async () => {
      for await (const c of child.stderr) stderr += dec.decode(c);
    })();
    // Read, not cancelled: s9s ends at once, quietly, when its stdout's reader goes away.
    const stdout = (async () => {
      for await (const _ of child.stdout) { /* drained */ }
    })();
    try {
      await Deno.writeTextFile(path, `${EVIL}\n`, { append: true });
      // Busy: the main thread is inside the regex once the line was read (give it a moment).
      await waitFor(async () => {
        const stat = await Deno.readTextFile(`/proc/${child.pid}/stat`);
        const utime = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[11]);
        return utime > 50; // 0.5 s of CPU: stuck in the regex
      }, { timeout: 20_000, what: "s9s busy in the regex" });
      const t0 = Date.now();
      child.kill(sig);
      const st = await child.status;
      const ms = Date.now() - t0;
      await pump;
      assertEquals(st.code, 130, stderr);
      assert(ms < 5000, `${sig} took ${ms} ms`);
      assertStringIncludes(stderr, "interrupted");
    } finally {
      try {
        child.kill("SIGKILL");
      } catch { /* ended */ }
      await stdout.catch(() => {});
      await Deno.remove(dir, { recursive: true });
    }
  });
}

/** Follow `n` files under `ulimit` settings; returns which were followed and which named. */
async function followMany(n: number, ulimit: string): Promise<{
  followed: Set<number>;
  named: Set<number>;
  stderr: string;
  code: number;
}> {
  const { dir, home } = await tempHome("s9s-rel-");
  const paths: string[] = [];
  for (let i = 1; i <= n; i++) {
    paths.push(`${dir}/f${i}.out`);
    await Deno.writeTextFile(paths[i - 1], `hello ${i}\n`);
  }
  await Deno.writeTextFile(`${dir}/c.yaml`, "streaming:\n  max_concurrent_streams: 5000\n");
  const argv = s9sArgv(
    "stream",
    "--config",
    `${dir}/c.yaml`,
    ...paths.flatMap((p) => ["--path", p]),
  );
  const quoted = argv.map((a) => `'${a}'`).join(" ");
  const p = new S9sProcess([], {
    argv: ["bash", "-c", `${ulimit}; exec ${quoted}`],
    env: testEnv(home),
  });
  const followed = new Set<number>();
  const named = new Set<number>();
  const scan = () => {
    followed.clear();
    named.clear();
    for (const m of p.lines.join("\n").matchAll(/hello (\d+)/g)) followed.add(Number(m[1]));
    for (
      const m of p.stderr.matchAll(
        /cannot follow "[^"]*\/f(\d+)\.out": too many open files \(limit \d+/g,
      )
    ) {
      named.add(Number(m[1]));
    }
    return followed.size + named.size >= n;
  };
  try {
    await waitFor(scan, {
      timeout: 60_000,
      what: `${n} files accounted for: ${p.stderr.slice(-300)}`,
    })
      .catch(() => {});
    const st = await p.stop();
    scan();
    return { followed, named, stderr: p.stderr, code: st.code };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("out of file descriptors: every file is followed or named in an error with the limit, never a panic", async () => {
  const r = await followMany(400, "ulimit -n 256");
  assert(
    !/panicked/.test(r.stderr),
    `Deno panicked: ${r.stderr.replace(/^Args: .*$/m, "Args: …").slice(0, 4000)}`,
  );
  for (let i = 1; i <= 400; i++) {
    assert(r.followed.has(i) || r.named.has(i), `file ${i} neither followed nor named`);
  }
  assert(r.followed.size > 100, `only ${r.followed.size} followed under a limit of 256`);
  assert(r.named.size > 0, "some must be refused under a limit of 256");
});

Deno.test("out of file descriptors: a soft limit below the hard one is raised, all files followed", async () => {
  const r = await followMany(400, "ulimit -Hn 4096; ulimit -Sn 256");
  assert(
    !/panicked/.test(r.stderr),
    `Deno panicked: ${r.stderr.replace(/^Args: .*$/m, "Args: …").slice(0, 4000)}`,
  );
  assertEquals(r.named.size, 0, r.stderr.slice(0, 1000));
  assertEquals(r.followed.size, 400);
});

/** Every `*.log.gz` under `dir` with its size (history part files). */
function historyParts(dir: string): number[] {
  const sizes: number[] = [];
  const walk = (d: string) => {
    for (const e of Deno.readDirSync(d)) {
      if (e.isDirectory) walk(`${d}/${e.name}`);
      else if (e.name.endsWith(".log.gz")) sizes.push(Deno.statSync(`${d}/${e.name}`).size);
    }
  };
  walk(dir);
  return sizes;
}

Deno.test("with history on (the default), s9s holds about one descriptor per followed file", async () => {
  const n = 150;
  const { dir, home } = await tempHome("s9s-rel-");
  const paths: string[] = [];
  for (let i = 1; i <= n; i++) {
    paths.push(`${dir}/f${i}.out`);
    await Deno.writeTextFile(paths[i - 1], `hello ${i}\n`);
  }
  // Only the stream limit is raised: persistence keeps its defaults (on, auto-save).
  await Deno.writeTextFile(`${dir}/c.yaml`, "streaming:\n  max_concurrent_streams: 1000\n");
  const s9s = new S9sProcess(
    ["stream", "--config", `${dir}/c.yaml`, ...paths.flatMap((p) => ["--path", p])],
    { env: testEnv(home) },
  );
  const fds = () => [...Deno.readDirSync(`/proc/${s9s.pid}/fd`)].length;
  let peak = 0;
  try {
    await s9s.waitForLines(n, 60_000);
    // Every stream records: wait for a history member of each on disk, sampling descriptors.
    await waitFor(() => {
      peak = Math.max(peak, fds());
      return historyParts(home).filter((s) => s > 0).length >= n;
    }, { timeout: 30_000, what: `${n} history parts: ${historyParts(home).length} so far` });
    // More lines to every file at once: each stream writes its next member about together.
    for (let i = 1; i <= n; i++) {
      await Deno.writeTextFile(paths[i - 1], `again ${i}\n`, { append: true });
    }
    const before = historyParts(home).reduce((a, b) => a + b, 0);
    await waitFor(() => {
      peak = Math.max(peak, fds());
      return s9s.lines.filter((l) => l.includes("again ")).length >= n &&
        historyParts(home).reduce((a, b) => a + b, 0) > before + n * 10;
    }, { timeout: 30_000, what: `second members: ${s9s.stderr.slice(-300)}` });
    peak = Math.max(peak, fds());
    // Between writes history holds no descriptor (before: one per stream, for good).
    await waitFor(() => openFiles(s9s.pid, ".log.gz").length === 0, {
      timeout: 10_000,
      what: `history files closed: ${openFiles(s9s.pid, ".log.gz").slice(0, 3)}`,
    });
    // A small constant beside one per file: stdio, the runtime's event loop, inotify, workers.
    assert(peak <= n + 40, `${peak} descriptors for ${n} followed files (history on)`);
    assert(peak >= n, `${peak} descriptors: the files are not held open (test broken?)`);
  } finally {
    await s9s.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

/** Files a process holds open whose path contains `part`. */
function openFiles(pid: number, part: string): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(`/proc/${pid}/fd`)) {
    try {
      const target = Deno.readLinkSync(`/proc/${pid}/fd/${e.name}`);
      if (target.includes(part)) out.push(target);
    } catch { /* closed meanwhile */ }
  }
  return out;
}

Deno.test("TUI search with catastrophic backtracking answers at once (V8 flags of the s9s task)", async () => {
  // The TUI runs in tmux without `deno task`: its V8 flags come from the task line via
  // DENO_V8_FLAGS, so this follows the task.
  await withTmux({ env: { DENO_V8_FLAGS: taskV8Flags() } }, async (t) => {
    await t.waitFor("train_model");
    const panePid = await t.display("#{pane_pid}"); // the session's own tmux server
    const kids = new TextDecoder().decode(
      (await new Deno.Command("pgrep", { args: ["-P", panePid], stdout: "piped" }).output())
        .stdout,
    ).trim().split("\n").map(Number);
    const out = await waitFor(() => {
      for (const k of kids) {
        const f = openFiles(k, "/s9s-mock-").find((p) => /1001[^/]*\.out$/.test(p));
        if (f) return f;
      }
      return undefined;
    }, { what: "the mock job 1001's output file" });
    await t.keys("C-s");
    await t.waitFor("Stream Monitor");
    await addStream(t, "1001", 0);
    await Deno.writeTextFile(out, `${EVIL}\n`.repeat(30) + "needle\n", { append: true });
    await t.waitFor("needle");
    await t.keys("/");
    await t.waitFor("Search (regex");
    await t.type("^(a+)+$");
    await t.keys("Enter");
    // Without the linear fallback, 30 such lines keep the TUI busy for days.
    await t.waitFor("no match for /^(a+)+$/", { timeout: 10_000 });
  });
});

Deno.test("WatchHub watches many directories with one inotify instance and wakes each file's listener", async () => {
  const { dir } = await tempHome("s9s-rel-");
  const { WatchHub } = await import("../../src/sources/watch_hub.ts");
  const inotifyFds = () => openFiles(Deno.pid, "inotify").length;
  const before = inotifyFds();
  const hub = new WatchHub(true);
  const woken = new Set<number>();
  const unsubs: (() => void)[] = [];
  try {
    for (let i = 0; i < 40; i++) {
      await Deno.mkdir(`${dir}/d${i}`);
      unsubs.push(hub.watch(`${dir}/d${i}`, "job.out", () => void woken.add(i))!);
    }
    await waitFor(() => hub.watching === 40, { what: "the shared watcher" });
    assertEquals(inotifyFds() - before, 1, "one inotify instance for 40 directories");
    for (let i = 0; i < 40; i++) await Deno.writeTextFile(`${dir}/d${i}/job.out`, "x\n");
    await waitFor(() => woken.size === 40, { what: `40 wakes (have ${woken.size})` });
  } finally {
    unsubs.forEach((u) => u());
    hub.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("WatchHub: a watch dropped and taken back (a busy file's pacer) costs no new watcher; a missing directory polls alone", async () => {
  const { dir } = await tempHome("s9s-rel-");
  const { WatchHub } = await import("../../src/sources/watch_hub.ts");
  const inotifyFds = () => openFiles(Deno.pid, "inotify").length;
  const before = inotifyFds();
  const hub = new WatchHub(true);
  const woken: string[] = [];
  const unsubs: (() => void)[] = [];
  try {
    for (const d of ["d0", "d1"]) {
      await Deno.mkdir(`${dir}/${d}`);
      unsubs.push(hub.watch(`${dir}/${d}`, "job.out", (p) => void (p && woken.push(d)))!);
    }
    await waitFor(() => hub.watching === 2, { what: "the shared watcher" });
    const started = hub.started;
    // The pacer drops d0's only watch while its file is busy and takes it back once quiet.
    unsubs[0]();
    await new Promise((r) => setTimeout(r, 50)); // the busy spell (not a synchronisation)
    unsubs[0] = hub.watch(`${dir}/d0`, "job.out", (p) => void (p && woken.push("d0 again")))!;
    await Deno.writeTextFile(`${dir}/d0/job.out`, "x\n");
    await waitFor(() => woken.includes("d0 again"), { what: "the wake of the watch taken back" });
    assertEquals(hub.started, started, "no new watcher for a watch taken back");
    // (At most: the watcher of the test before may still be closing when `before` was taken.)
    assert(inotifyFds() - before <= 1, `one inotify instance (${before} before, ${inotifyFds()})`);
    // A directory not there yet cannot be watched: its source is told to poll, the rest stay.
    let lost = false;
    unsubs.push(hub.watch(`${dir}/missing`, "job.out", () => {}, () => void (lost = true))!);
    await waitFor(() => lost, { what: "onLost for the missing directory" });
    assertEquals(hub.watching, 2);
    await Deno.writeTextFile(`${dir}/d1/job.out`, "y\n");
    await waitFor(() => woken.includes("d1"), { what: "d1 still watched" });
  } finally {
    unsubs.forEach((u) => u());
    hub.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a busy file polled without its watch: a rewrite is still caught, and once quiet a write is seen at once", async () => {
  const { dir } = await tempHome("s9s-rel-");
  const { WatchHub } = await import("../../src/sources/watch_hub.ts");
  const hub = new WatchHub(true);
  const abort = new AbortController();
  await Deno.mkdir(`${dir}/busy`);
  await Deno.mkdir(`${dir}/idle`);
  const busy = `${dir}/busy/job.out`;
  await Deno.writeTextFile(busy, "");
  await Deno.writeTextFile(`${dir}/idle/job.out`, "");
  const got: string[] = [];
  const statuses: string[] = [];
  const sink = {
    batch: (b: { text: string }) => void got.push(...b.text.split("\n").slice(0, -1)),
    status: (s: { message?: string }) => void statuses.push(s.message ?? ""),
  };
  const opts = { watchHub: hub, signal: abort.signal, pollIntervalMs: 100 };
  const runs = [
    new FileSource(busy, opts).run(sink),
    new FileSource(`${dir}/idle/job.out`, opts).run({ batch: () => {}, status: () => {} }),
  ];
  try {
    await waitFor(() => hub.watching === 2, { what: "both directories watched" });
    const started = hub.started;
    // A write every millisecond or so for over a second: the pacer drops the watch, the hub the
    // directory (once it has been without listeners for a second).
    const t0 = Date.now();
    let n = 0;
    while (n < 800 || Date.now() - t0 < 1500) {
      Deno.writeTextFileSync(busy, `busy ${++n}\n`, { append: true });
      if (n === 700) Deno.writeTextFileSync(busy, lines(1, 20, "rewritten")); // O_TRUNC and write
      await new Promise((r) => setTimeout(r, 1)); // the writer's pace
    }
    await waitFor(() => got.at(-1) === `busy ${n}`, { what: `busy ${n} (have ${got.at(-1)})` });
    assert(hub.started > started, "the busy file's directory left the watcher");
    assert(statuses.some((s) => s.includes("was truncated or rewritten")), "rewrite reported");
    const want = [
      ...Array.from({ length: 699 }, (_, i) => `busy ${i + 1}`),
      ...lines(1, 20, "rewritten").split("\n").slice(0, -1),
      ...Array.from({ length: n - 700 }, (_, i) => `busy ${i + 701}`),
    ];
    // Lines 700 and a few before it may have gone with the truncation unread (they are not in
    // the file any more); everything after the rewrite must be there, once, in order.
    const at = got.indexOf(want[699]);
    assert(at >= 0, "the rewritten content was read");
    assertEquals(got.slice(at), want.slice(699));
    assertEquals(got.slice(0, at), want.slice(0, at), "before the rewrite: a prefix, in order");
    // Quiet for longer than the pacer's 100 ms: the watch is back; a single write is seen long
    // before the 2 s safety poll would find it.
    await new Promise((r) => setTimeout(r, 400)); // the quiet spell (not a synchronisation)
    const t1 = Date.now();
    Deno.writeTextFileSync(busy, "after the quiet\n", { append: true });
    await waitFor(() => got.at(-1) === "after the quiet", { timeout: 5000, what: "the last line" });
    assert(Date.now() - t1 < 1000, `seen after ${Date.now() - t1} ms`);
  } finally {
    abort.abort();
    await Promise.allSettled(runs);
    hub.close();
    await Deno.remove(dir, { recursive: true });
  }
});
