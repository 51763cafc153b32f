/**
 * Stream persistence end to end: the real CLI (`s9s stream`, `s9s history`) on real files, with
 * the history directory in a temp dir.
 */
import { deepStrictEqual } from "node:assert";
import { assert, assertStringIncludes, waitFor } from "../_helpers/assert.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const dec = new TextDecoder();

interface Run {
  code: number;
  stdout: Uint8Array;
  stderr: string;
}

async function s9s(home: string, args: string[]): Promise<Run> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts", "-c", `${home}/config.yaml`, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", S9S_HOME: home },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: out.stdout, stderr: dec.decode(out.stderr) };
}

async function setup(extra = ""): Promise<string> {
  const home = await Deno.makeTempDir({ prefix: "s9s-history-" });
  await Deno.writeTextFile(
    `${home}/config.yaml`,
    `streaming:\n  buffer:\n    max_lines: 10000\n  persistence:\n    directory: ${home}/history\n${extra}`,
  );
  return home;
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const h = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return [...h].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function listIds(home: string): Promise<{ id: string; lines: number }[]> {
  const r = await s9s(home, ["history", "list", "-o", "json"]);
  deepStrictEqual(r.code, 0, r.stderr);
  return JSON.parse(dec.decode(r.stdout));
}

Deno.test("history export gives back 1,000,000 streamed lines byte-identical", async () => {
  const home = await setup();
  try {
    const file = `${home}/big.out`;
    const lines: string[] = [];
    for (let i = 1; i <= 1_000_000; i++) {
      lines.push(`${i} step=${i % 977} loss=${(1 / i).toFixed(8)} ✓`);
    }
    const input = new TextEncoder().encode(lines.join("\n") + "\n");
    await Deno.writeFile(file, input);
    const run = await s9s(home, ["stream", "--path", file, "--no-follow", "-q"]);
    deepStrictEqual(run.code, 0, run.stderr);
    deepStrictEqual(await sha256(run.stdout), await sha256(input), "stream output");
    const [entry, ...more] = await listIds(home);
    deepStrictEqual(more.length, 0);
    deepStrictEqual(entry.lines, 1_000_000);
    const exp = await s9s(home, ["history", "export", entry.id]);
    deepStrictEqual(exp.code, 0, exp.stderr);
    deepStrictEqual(exp.stdout.length, input.length);
    deepStrictEqual(await sha256(exp.stdout), await sha256(input), "exported history");
    // The history files are plain gzip.
    for (const e of Deno.readDirSync(`${home}/history`)) {
      if (!e.name.endsWith(".gz")) continue;
      const t = await new Deno.Command("gzip", { args: ["-t", `${home}/history/${e.name}`] })
        .output();
      deepStrictEqual(t.code, 0, dec.decode(t.stderr));
      deepStrictEqual((Deno.statSync(`${home}/history/${e.name}`).mode ?? 0) & 0o777, 0o600);
    }
    deepStrictEqual((Deno.statSync(`${home}/history`).mode ?? 0) & 0o777, 0o700);
    const json = await s9s(home, ["history", "export", entry.id.slice(0, 24), "-o", "json"]);
    deepStrictEqual(json.code, 0, json.stderr);
    const text = dec.decode(json.stdout);
    const last = JSON.parse(text.slice(text.lastIndexOf("\n", text.length - 2) + 1));
    deepStrictEqual(
      [last.job_id, last.type, last.content, last.line_num, last.source],
      ["big.out", "stdout", lines[999_999], 1_000_000, "file"],
    );
    assert(!isNaN(Date.parse(last.timestamp)), "timestamp");
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("history survives kill -9 of s9s stream mid-stream (index rebuilt)", async () => {
  const home = await setup();
  try {
    const file = `${home}/growing.out`;
    await Deno.writeTextFile(file, "");
    // A real writer process appending lines steadily.
    const writer = new Deno.Command("bash", {
      args: [
        "-c",
        `i=0; while true; do i=$((i+1)); echo "tick $i"; if (( i % 200 == 0 )); then sleep 0.05; fi; done >> ${file}`,
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    const stream = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "main.ts", "-c", `${home}/config.yaml`, "stream", "--path", file, "-q"],
      cwd: ROOT,
      env: { NO_COLOR: "1", S9S_HOME: home },
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      await waitFor(() => {
        try {
          return [...Deno.readDirSync(`${home}/history`)].some((e) =>
            e.name.endsWith(".log.gz") && Deno.statSync(`${home}/history/${e.name}`).size > 2000
          );
        } catch {
          return false;
        }
      }, { timeout: 30_000, what: "history data on disk" });
    } finally {
      stream.kill("SIGKILL");
      await stream.status;
      writer.kill("SIGKILL");
      await writer.status;
    }
    // The index may be missing or stale: remove it for good measure, list must rebuild it.
    await Deno.remove(`${home}/history/index.json`).catch(() => {});
    const [entry] = await listIds(home);
    assert(entry && entry.lines > 0, "history listed after the crash");
    const exp = await s9s(home, ["history", "export", entry.id]);
    deepStrictEqual(exp.code, 0, exp.stderr);
    const got = dec.decode(exp.stdout);
    deepStrictEqual(got.split("\n").length - 1, entry.lines);
    const original = await Deno.readTextFile(file);
    deepStrictEqual(original.slice(0, got.length), got, "history is an exact prefix of the file");
    for (const e of Deno.readDirSync(`${home}/history`)) {
      if (!e.name.endsWith(".log.gz")) continue;
      const t = await new Deno.Command("gzip", { args: ["-t", `${home}/history/${e.name}`] })
        .output();
      deepStrictEqual(t.code, 0, dec.decode(t.stderr));
    }
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("an unwritable history directory gives one warning; the stream output is complete", async () => {
  const home = await Deno.makeTempDir({ prefix: "s9s-history-" });
  try {
    // A directory below a regular file cannot be created, even by root.
    await Deno.writeTextFile(`${home}/blocker`, "");
    await Deno.writeTextFile(
      `${home}/config.yaml`,
      `streaming:\n  persistence:\n    directory: ${home}/blocker/history\n`,
    );
    const input = Array.from({ length: 50_000 }, (_, i) => `line ${i + 1}\n`).join("");
    await Deno.writeTextFile(`${home}/in.out`, input);
    const r = await s9s(home, ["stream", "--path", `${home}/in.out`, "--no-follow"]);
    deepStrictEqual(r.code, 0, r.stderr);
    deepStrictEqual(dec.decode(r.stdout), input);
    assertStringIncludes(r.stderr, "warning: cannot save stream history");
    deepStrictEqual(r.stderr.split("cannot save stream history").length - 1, 1, "one warning");
    const list = await s9s(home, ["history", "list"]);
    deepStrictEqual(list.code, 1, list.stderr);
    assertStringIncludes(
      list.stderr,
      `error: cannot read the history directory "${home}/blocker/history"`,
    );
    assert(!list.stderr.includes("bug"), list.stderr);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

const IS_ROOT = Deno.uid?.() === 0;

/** Random printable lines: they compress poorly, so a few MB fill a small filesystem. */
function randomLines(count: number): string {
  const bytes = new Uint8Array(96);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    crypto.getRandomValues(bytes);
    out.push(`${i + 1} ${btoa(String.fromCharCode(...bytes))}\n`);
  }
  return out.join("");
}

Deno.test({
  name: "history on a full 2 MB filesystem lists only what is on disk and marks the cut",
  ignore: !IS_ROOT,
  async fn() {
    const home = await setup();
    const dir = `${home}/history`;
    await Deno.mkdir(dir);
    const mount = await new Deno.Command("mount", {
      args: ["-t", "tmpfs", "-o", "size=2m", "tmpfs", dir],
      stderr: "piped",
    }).output();
    deepStrictEqual(mount.code, 0, dec.decode(mount.stderr));
    try {
      const input = randomLines(40_000); // ~5.3 MB, over 2 MB even compressed
      await Deno.writeTextFile(`${home}/in.out`, input);
      const r = await s9s(home, ["stream", "--path", `${home}/in.out`, "--no-follow"]);
      deepStrictEqual(r.code, 0, r.stderr);
      deepStrictEqual(dec.decode(r.stdout), input, "the stream itself is complete");
      assertStringIncludes(r.stderr, "warning: cannot save stream history");

      const list = await s9s(home, ["history", "list", "-o", "json"]);
      deepStrictEqual(list.code, 0, list.stderr);
      const sessions: {
        id: string;
        lines: number;
        size: number;
        cut_short: boolean;
        files: string[];
      }[] = JSON.parse(dec.decode(list.stdout));
      deepStrictEqual(sessions.length, 1);
      const [s] = sessions;
      const onDisk = s.files.reduce((n, f) => n + Deno.statSync(`${dir}/${f}`).size, 0);
      deepStrictEqual(s.size, onDisk, "size is what the files take");
      assert(s.size <= 2 * 1024 * 1024, `${s.size} bytes listed on a 2 MB filesystem`);
      deepStrictEqual(s.cut_short, true);
      assert(s.lines > 0 && s.lines < 40_000, `${s.lines} lines saved`);

      const text = await s9s(home, ["history", "list"]);
      deepStrictEqual(text.code, 0, text.stderr);
      const out = dec.decode(text.stdout);
      assertStringIncludes(out, "cut short: a write did not complete");
      const size = /\s(\d+(?:\.\d)?) (KB|MB)\s/.exec(out.split("\n")[1]);
      assert(size, out);
      assert(size[2] === "KB" || Number(size[1]) <= 2, `SIZE ${size[0]} on a 2 MB filesystem`);

      // What was saved reads back as the beginning of the stream, whole lines only.
      const exp = await s9s(home, ["history", "export", s.id]);
      deepStrictEqual(exp.code, 0, exp.stderr);
      const saved = dec.decode(exp.stdout);
      deepStrictEqual(saved.split("\n").length - 1, s.lines);
      assert(input.startsWith(saved), "export is a prefix of the input");
    } finally {
      await new Deno.Command("umount", { args: [dir] }).output();
      await Deno.remove(home, { recursive: true });
    }
  },
});

Deno.test("stream --save FILE.gz writes gzip and history clean honours --older-than", async () => {
  const home = await setup();
  try {
    const input = Array.from({ length: 10_000 }, (_, i) => `saved ${i + 1}\n`).join("");
    await Deno.writeTextFile(`${home}/in.out`, input);
    const r = await s9s(home, [
      "stream",
      "--path",
      `${home}/in.out`,
      "--no-follow",
      "-q",
      "--save",
      `${home}/copy.gz`,
    ]);
    deepStrictEqual(r.code, 0, r.stderr);
    const gz = await new Deno.Command("gzip", { args: ["-dc", `${home}/copy.gz`] }).output();
    deepStrictEqual(dec.decode(gz.stdout), input);
    deepStrictEqual((await listIds(home)).length, 1);
    const keep = await s9s(home, ["history", "clean", "--older-than", "1d"]);
    deepStrictEqual(keep.code, 0, keep.stderr);
    assertStringIncludes(dec.decode(keep.stdout), "removed 0 file(s)");
    const old = new Date(Date.now() - 3 * 86_400_000);
    for (const e of Deno.readDirSync(`${home}/history`)) {
      if (e.name.endsWith(".log.gz")) await Deno.utime(`${home}/history/${e.name}`, old, old);
    }
    const clean = await s9s(home, ["history", "clean", "--older-than", "2d"]);
    assertStringIncludes(dec.decode(clean.stdout), "removed 1 file(s)");
    deepStrictEqual((await listIds(home)).length, 0);
    const bad = await s9s(home, ["history", "clean", "--older-than", "soon"]);
    deepStrictEqual(bad.code, 2);
    assertStringIncludes(
      bad.stderr,
      'error: --older-than expects an age such as "7d" or "12h", got "soon"',
    );
    const missing = await s9s(home, ["history", "export", "nope"]);
    deepStrictEqual(missing.code, 2);
    assertStringIncludes(missing.stderr, 'error: no saved stream "nope"');
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("a filtered catch-up saves what was printed: history export equals the output", async () => {
  const home = await setup();
  try {
    const file = `${home}/mixed.out`;
    const lines: string[] = [];
    for (let i = 1; i <= 200_000; i++) {
      const kind = i % 7 === 3 ? "ERROR" : i % 11 === 5 ? "WARN" : "INFO";
      lines.push(`${kind} step ${i} ${"x".repeat(i % 50)}`);
    }
    await Deno.writeTextFile(file, lines.join("\n") + "\n");
    const filter = ["--filter", "ERROR|WARN"];
    const text = await s9s(home, ["stream", "--path", file, "--no-follow", "-q", ...filter]);
    deepStrictEqual(text.code, 0, text.stderr);
    const kept = lines.filter((l) => /ERROR|WARN/.test(l));
    deepStrictEqual(dec.decode(text.stdout), kept.join("\n") + "\n", "stream output");
    const json = await s9s(home, [
      "stream",
      "--path",
      file,
      "--no-follow",
      "-o",
      "json",
      ...filter,
    ]);
    deepStrictEqual(json.code, 0, json.stderr);
    const [first, second, ...more] = await listIds(home);
    deepStrictEqual(more.length, 0);
    // history show: the saved stream holds exactly the printed lines.
    for (const entry of [first, second]) {
      deepStrictEqual(entry.lines, kept.length);
      const show = await s9s(home, ["history", "show", entry.id]);
      deepStrictEqual(show.code, 0, show.stderr);
      assertStringIncludes(dec.decode(show.stdout), `lines    ${kept.length}\n`);
    }
    const exp = await s9s(home, ["history", "export", first.id]);
    deepStrictEqual(exp.code, 0, exp.stderr);
    deepStrictEqual(await sha256(exp.stdout), await sha256(text.stdout), "exported text");
    // As JSON, the events are those printed, line numbers included (aside from the time of
    // reading and the highlights of the filters configured at the time).
    const strip = (t: string) =>
      t.trim().split("\n").map((l) => {
        const { timestamp: _t, highlights: _h, ...rest } = JSON.parse(l);
        return JSON.stringify(rest);
      });
    const expJson = await s9s(home, ["history", "export", second.id, "-o", "json"]);
    deepStrictEqual(expJson.code, 0, expJson.stderr);
    const printed = strip(dec.decode(json.stdout));
    deepStrictEqual(strip(dec.decode(expJson.stdout)), printed);
    deepStrictEqual(JSON.parse(printed[0]).line_num, 3);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("a short --no-follow run writes only its gzip file; history list reads it and saves the index", async () => {
  const home = await setup();
  try {
    const input = Array.from({ length: 20 }, (_, i) => `line ${i + 1} of a short run\n`).join("");
    await Deno.writeTextFile(`${home}/short.out`, input);
    const r = await s9s(home, ["stream", "--path", `${home}/short.out`, "--no-follow"]);
    deepStrictEqual([r.code, dec.decode(r.stdout)], [0, input], r.stderr);
    const names = [...Deno.readDirSync(`${home}/history`)].map((e) => e.name);
    deepStrictEqual(names.length, 1, `only the session's file: ${names.join(", ")}`);
    assert(/\.001\.log\.gz$/.test(names[0]), names[0]);

    const [s] = await listIds(home);
    deepStrictEqual(s.lines, 20);
    assert(Deno.statSync(`${home}/history/index.json`).isFile, "history list saved the index");
    const exp = await s9s(home, ["history", "export", s.id]);
    deepStrictEqual([exp.code, dec.decode(exp.stdout)], [0, input], exp.stderr);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
