/**
 * The real CLI's answers to mistakes: exact stderr (`error:` and `hint:` lines), empty stdout
 * and the exit code, with NO_COLOR=1.
 */
import { assert, assertEquals, assertStringIncludes } from "../_helpers/assert.ts";
import { runS9s, testEnv } from "../_helpers/cli.ts";
import { tempHome } from "../_helpers/temp_dir.ts";

/** Run s9s and check the whole answer: no stdout, exactly these stderr lines, this exit code. */
async function expectError(
  args: string[],
  code: number,
  stderr: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<void> {
  const { dir, home } = await tempHome("s9s-cli-");
  try {
    const r = await runS9s(args, { env: testEnv(home, opts.env), cwd: opts.cwd });
    assertEquals(r.stdout, "", `stdout of s9s ${args.join(" ")}`);
    assertEquals(r.stderr, stderr.join("\n") + "\n", `stderr of s9s ${args.join(" ")}`);
    assertEquals(r.code, code, `exit code of s9s ${args.join(" ")}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("s9s rejects an unknown command with a did-you-mean hint, exit 2", async () => {
  await expectError(["strem"], 2, [
    'error: unknown command "strem"',
    'hint: did you mean "stream"?',
  ]);
  await expectError(["--mock", "histroy", "list"], 2, [
    'error: unknown command "histroy"',
    'hint: did you mean "history"?',
  ]);
  await expectError(["help", "strem"], 2, [
    'error: unknown command "strem"',
    'hint: did you mean "stream"?',
  ]);
  const help = await runS9s(["help", "stream"], { env: { NO_COLOR: "1" } });
  assertEquals([help.code, help.stderr, help.stdout.split("\n")[0]], [
    0,
    "",
    "Usage: s9s stream [options]",
  ]);
  await expectError(["zzzzzz"], 2, [
    'error: unknown command "zzzzzz"',
    "hint: the commands are stream, jobs, config, history, submit, doctor, completions; see `s9s --help`",
  ]);
});

Deno.test("s9s rejects an unknown or incomplete option naming it, exit 2", async () => {
  await expectError(["stream", "--exit-cod"], 2, [
    'error: unknown option "--exit-cod"',
    'hint: did you mean "--exit-code"?',
  ]);
  await expectError(["stream", "--qqqqqq"], 2, [
    'error: unknown option "--qqqqqq"',
    "hint: see `s9s stream --help`",
  ]);
  await expectError(["config", "validate", "--qqqqqq"], 2, [
    'error: unknown option "--qqqqqq"',
    "hint: see `s9s config validate --help`",
  ]);
  await expectError(["stream", "--type", "both"], 2, [
    'error: --type must be one of stdout, stderr, all; got "both"',
    "hint: see `s9s stream --help`",
  ]);
  await expectError(["stream", "--job"], 2, [
    "error: --job needs a value",
    "hint: see `s9s stream --help`",
  ]);
  await expectError(["stream", "123"], 2, [
    'error: "s9s stream" takes no arguments; got 1',
    "hint: give job ids with --job and files with --path, e.g. `s9s stream --job 123`",
  ]);
});

Deno.test("stream --tail with a sign gets a hint, exit 2", async () => {
  await expectError(["stream", "--path", "/dev/null", "--tail", "-5"], 2, [
    'error: --tail expects a whole number ≥ 0, got "-5"',
    "hint: counts have no sign: --tail 5",
  ]);
});

Deno.test("stream --filter and --exclude errors name the flag, not a generated label", async () => {
  await expectError(["stream", "--path", "/dev/null", "--exclude", "a("], 2, [
    'error: --exclude: invalid regular expression "a(": Unterminated group',
    "hint: quote the pattern and escape regex characters, e.g. --exclude 'ERROR|WARN' or --exclude 'x\\[1\\]'",
  ]);
});

Deno.test("an unknown job lists each path tried once, exit 2", async () => {
  const { dir } = await tempHome("s9s-cli-");
  try {
    await expectError(["stream", "--mock", "--job", "99999"], 2, [
      'error: job "99999" was not found',
      `  tried ${dir}/slurm-99999.out (Slurm default name): not found`,
      "hint: check the id with `s9s jobs` or `squeue -j ID`; finished jobs may have been purged (MinJobAge)",
    ], { cwd: dir });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stream --path in a directory that does not exist fails at once, exit 1", async () => {
  await expectError(["stream", "--path", "/nonexistent-s9s/dir/x.out"], 1, [
    'error: --path "/nonexistent-s9s/dir/x.out": directory "/nonexistent-s9s/dir" does not exist',
    "hint: check the path; s9s waits for a file to appear, but not for its directory",
  ]);
});

Deno.test("stream --no-follow on a missing file cannot open it, exit 1", async () => {
  const { dir } = await tempHome("s9s-cli-");
  try {
    await expectError(
      ["stream", "--path", `${dir}/a.out`, "--path", `${dir}/b.out`, "--no-follow"],
      1,
      [
        "error: 2 files cannot be followed",
        `  cannot open "${dir}/a.out": no such file`,
        `  cannot open "${dir}/b.out": no such file`,
        "hint: without --no-follow, s9s waits for a missing file to appear",
      ],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a YAML syntax error names its line; a positional file gets its own hint", async () => {
  const { dir } = await tempHome("s9s-cli-");
  try {
    const cfg = `${dir}/bad.yaml`;
    await Deno.writeTextFile(cfg, "streaming:\n  buffer:\n    max_lines: [1, 2\n  quiet: x\n");
    const r = await runS9s(["config", "validate", cfg], { env: testEnv(`${dir}/home`) });
    assertEquals(r.code, 2);
    assert(
      /^error: invalid configuration: YAML syntax error: .+ \(.+bad\.yaml line \d+\)\n/.test(
        r.stderr,
      ),
      r.stderr,
    );
    await expectError(["config", "validate", `${dir}/none.yaml`], 2, [
      `error: config file "${dir}/none.yaml" does not exist`,
      "hint: check the path given to `s9s config validate`",
    ]);
    await expectError(["--config", `${dir}/none.yaml`, "config", "validate"], 2, [
      `error: config file "${dir}/none.yaml" does not exist`,
      "hint: check the path given to --config",
    ]);
    await expectError(["config", "show"], 2, [
      `error: config file "${dir}/none.yaml" does not exist`,
      "hint: check $S9S_CONFIG, or unset it to use ~/.s9s/config.yaml",
    ], { env: { S9S_CONFIG: `${dir}/none.yaml` } });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a YAML syntax error on a known line reports that line", async () => {
  const { dir, home } = await tempHome("s9s-cli-");
  try {
    const cfg = `${dir}/bad.yaml`;
    await Deno.writeTextFile(
      cfg,
      "streaming:\n  polling_interval: 1s\n  buffer: a: b\n  file_polling: {}\n",
    );
    const r = await runS9s(["config", "validate", cfg], { env: testEnv(home) });
    assertEquals(r.code, 2, r.stderr);
    assertStringIncludes(r.stderr, `(${cfg} line 3)`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a YAML alias bomb is bad input: exit 2 with a clear error, for stream and validate", async () => {
  const { dir } = await tempHome("s9s-cli-");
  try {
    const cfg = `${dir}/bomb.yaml`;
    const rows = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [n, p] of [["b", "a"], ["c", "b"], ["d", "c"], ["e", "d"], ["f", "e"], ["g", "f"]]) {
      rows.push(`${n}: &${n} [${Array(9).fill(`*${p}`).join(",")}]`);
    }
    await Deno.writeTextFile(cfg, rows.join("\n") + "\n");
    const lines = [
      `error: invalid configuration: YAML aliases (*name) expand to too many nodes (over 100 per anchor); write the values out instead (${cfg})`,
      "hint: fix the file, then check it with `s9s config validate`",
    ];
    await expectError(["config", "validate", cfg], 2, lines);
    await expectError(["--config", cfg, "stream", "--path", "/dev/null"], 2, lines);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a config file over 1 MiB is refused before parsing, exit 2", async () => {
  const { dir } = await tempHome("s9s-cli-");
  try {
    const cfg = `${dir}/big.yaml`;
    const row = "    - {name: f, pattern: x}\n";
    await Deno.writeTextFile(
      cfg,
      "streaming:\n  filters:\n" + row.repeat(Math.ceil(2 * 1024 * 1024 / row.length)),
    );
    const lines = [
      `error: config file "${cfg}" is larger than 1 MiB (2.0 MiB)`,
      "hint: an s9s config is a few kilobytes of YAML; check that this is the right file",
    ];
    await expectError(["config", "validate", cfg], 2, lines);
    await expectError(["--config", cfg, "stream", "--path", "/dev/null"], 2, lines);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
