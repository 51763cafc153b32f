/**
 * History under concurrency: a stream still being recorded is never deleted or orphaned by
 * another s9s's cleanup or by `history clean --older-than 0s`.
 * @module
 */
import { assert, assertEquals, waitFor } from "../_helpers/assert.ts";
import { runS9s, S9sProcess, testEnv } from "../_helpers/cli.ts";

interface Session {
  id: string;
  job_id: string;
  lines: number;
}

async function withHome(fn: (home: string) => Promise<void>): Promise<void> {
  const home = await Deno.makeTempDir({ prefix: "s9s-hconc-" });
  try {
    await Deno.writeTextFile(
      `${home}/c.yaml`,
      `streaming:\n  persistence:\n    directory: ${home}/history\n    max_files: 3\n`,
    );
    await fn(home);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

function s9s(home: string, args: string[]) {
  return runS9s(["-c", `${home}/c.yaml`, ...args], { env: testEnv(home) });
}

async function sessions(home: string): Promise<Session[]> {
  const r = await s9s(home, ["history", "list", "-o", "json"]);
  assertEquals(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

async function partFiles(home: string, job: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(`${home}/history`)) {
    if (e.name.includes(`-${job}-`) && e.name.endsWith(".log.gz")) out.push(e.name);
  }
  return out;
}

/** Follow live.out while `meanwhile` runs; returns what history holds of it in the end. */
async function recordWhile(home: string, meanwhile: () => Promise<void>): Promise<string> {
  const live = `${home}/live.out`;
  await Deno.writeTextFile(live, "first\n");
  const p = new S9sProcess(["-c", `${home}/c.yaml`, "stream", "--path", live, "-q"], {
    env: testEnv(home),
  });
  try {
    await p.waitForLines(1);
    await waitFor(async () => (await partFiles(home, "live_out")).length > 0, {
      timeout: 20_000,
      what: "the recording's part file",
    });
    await meanwhile();
    assertEquals((await partFiles(home, "live_out")).length, 1, "the recording's file is there");
    await Deno.writeTextFile(live, "second\nthird\n", { append: true });
    await p.waitForLines(3);
  } finally {
    assertEquals((await p.stop("SIGINT")).code, 130, p.stderr);
  }
  const s = (await sessions(home)).find((x) => x.job_id === "live.out");
  assert(s, "history list shows the recorded stream");
  const r = await s9s(home, ["history", "export", s.id]);
  assertEquals(r.code, 0, r.stderr);
  return r.stdout;
}

Deno.test("another s9s's cleanup (max_files) never deletes a stream still being recorded", async () => {
  await withHome(async (home) => {
    const got = await recordWhile(home, async () => {
      for (let i = 1; i <= 4; i++) {
        await Deno.writeTextFile(`${home}/other${i}.out`, `other ${i}\n`);
        const r = await s9s(home, ["stream", "--path", `${home}/other${i}.out`, "--no-follow"]);
        assertEquals(r.code, 0, r.stderr);
      }
      const r = await s9s(home, ["history", "clean"]);
      assertEquals(r.code, 0, r.stderr);
    });
    assertEquals(got, "first\nsecond\nthird\n");
  });
});

Deno.test("history clean --older-than 0s during a recording leaves the recording listed and whole", async () => {
  await withHome(async (home) => {
    const got = await recordWhile(home, async () => {
      const r = await s9s(home, ["history", "clean", "--older-than", "0s"]);
      assertEquals(r.code, 0, r.stderr);
    });
    assertEquals(got, "first\nsecond\nthird\n");
  });
});
