/**
 * grep/PCRE habits in patterns: Unicode properties and POSIX bracket classes match what they
 * say (or are refused), a long bad pattern is not echoed whole, and thousands of --filter
 * patterns cost about what one does.
 * @module
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { runS9s, testEnv } from "../_helpers/cli.ts";

const TEXT = "Hello World\nhello world\n漢字 line\nabc 123\n";

async function withLog(fn: (dir: string, path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "s9s-pat-" });
  try {
    await Deno.writeTextFile(`${dir}/job.out`, TEXT);
    await fn(dir, `${dir}/job.out`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const CASES: [string, string][] = [
  ["\\p{Lu}", "Hello World\n"],
  ["^\\pL+ \\pL+$", "Hello World\nhello world\n漢字 line\n"],
  ["\\p{Script=Han}", "漢字 line\n"],
  ["\\p{Han}", "漢字 line\n"],
  ["\\P{L}\\p{Ll}", "hello world\n漢字 line\n"],
  ["[[:upper:]]", "Hello World\n"],
  ["^[[:lower:][:space:]]+$", "hello world\n"],
  ["[[:digit:]]{3}", "abc 123\n"],
];

for (const [pattern, want] of CASES) {
  Deno.test(`stream --filter '${pattern}' matches what grep -P/-E would`, async () => {
    await withLog(async (dir, path) => {
      const r = await runS9s(["stream", "--path", path, "--no-follow", "--filter", pattern], {
        env: testEnv(`${dir}/home`),
      });
      assertEquals(r.stdout, want, r.stderr);
      assertEquals(r.code, 0);
    });
  });
}

for (
  const [pattern, reason] of [
    ["\\p{Foo}", 'unknown Unicode property "Foo"'],
    ["[[:foo:]]", 'unknown POSIX class "[:foo:]"'],
  ]
) {
  Deno.test(`stream --filter '${pattern}' is refused, saying why`, async () => {
    await withLog(async (dir, path) => {
      const r = await runS9s(["stream", "--path", path, "--no-follow", "--filter", pattern], {
        env: testEnv(`${dir}/home`),
      });
      assert(
        r.stderr.startsWith(`error: --filter: invalid regular expression "${pattern}": ${reason}`),
        r.stderr,
      );
      assertEquals([r.code, r.stdout], [2, ""]);
    });
  });
}

Deno.test("a 1 MB bad pattern in the config is quoted cut, not echoed whole", async () => {
  await withLog(async (dir, path) => {
    const big = "(".repeat(10) + "a".repeat(1_000_000);
    await Deno.writeTextFile(
      `${dir}/c.yaml`,
      `streaming:\n  filters:\n    - name: big\n      pattern: "${big}"\n      action: include\n`,
    );
    const r = await runS9s(["stream", "--config", `${dir}/c.yaml`, "--path", path, "--no-follow"], {
      env: testEnv(`${dir}/home`),
    });
    assertEquals(r.code, 2);
    assert(r.stderr.length < 500, `${r.stderr.length} characters of error`);
    assert(r.stderr.includes("(1000010 characters): Unterminated group"), r.stderr);
  });
});

Deno.test("stream with 10,000 --filter patterns over 20,000 lines takes seconds, not minutes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "s9s-pat-" });
  try {
    let text = "";
    for (let i = 1; i <= 20_000; i++) text += `line ${i} tok${i % 12_000}x\n`;
    await Deno.writeTextFile(`${dir}/job.out`, text);
    const args = ["stream", "--path", `${dir}/job.out`, "--no-follow"];
    for (let i = 0; i < 10_000; i++) args.push("--filter", `tok${i}x$`);
    const t0 = Date.now();
    const r = await runS9s(args, { env: testEnv(`${dir}/home`) });
    const ms = Date.now() - t0;
    assertEquals(r.code, 0, r.stderr);
    // tok0x…tok9999x: the lines whose i % 12000 is below 10000 (1…9999, 12000…20000).
    assertEquals(r.stdout.split("\n").length - 1, 18_000);
    assert(ms < 15_000, `took ${ms} ms`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
