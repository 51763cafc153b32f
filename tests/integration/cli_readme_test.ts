/**
 * README against the real CLI: the contents list matches the headings, every `#anchor` link
 * lands on a heading, and the `s9s stream` flag table and command list match `--help`.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { ROOT, runS9s } from "../_helpers/cli.ts";

const readme = await Deno.readTextFile(`${ROOT}README.md`);

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
function anchor(heading: string): string {
  return heading.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").trim().replace(/\s/g, "-");
}

/** Headings outside code blocks, as [level, text]. */
function headings(): [number, string][] {
  const out: [number, string][] = [];
  let fence = false;
  for (const line of readme.split("\n")) {
    if (line.startsWith("```")) fence = !fence;
    const m = !fence && /^(#{1,6}) (.+)$/.exec(line);
    if (m) out.push([m[1].length, m[2].trim()]);
  }
  return out;
}

function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  assert(start >= 0, `README has a "## ${title}" section`);
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

Deno.test("README contents list every ## heading, in order, with working anchors", () => {
  const listed = [...section("Contents").matchAll(/^- \[(.+)\]\(#(.+)\)$/gm)];
  const wanted = headings().filter(([lvl, t]) => lvl === 2 && t !== "Contents").map(([, t]) => t);
  assertEquals(listed.map((m) => m[1]), wanted);
  assertEquals(listed.map((m) => m[2]), wanted.map(anchor));
});

Deno.test("every #anchor link in README lands on a heading", () => {
  const anchors = new Set(headings().map(([, t]) => anchor(t)));
  const broken = [...readme.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]).filter((a) =>
    !anchors.has(a)
  );
  assertEquals(broken, []);
});

Deno.test("README's s9s stream flag table matches `s9s stream --help`", async () => {
  const help = await runS9s(["stream", "--help"], { env: { NO_COLOR: "1" } });
  assertEquals(help.code, 0);
  const own = help.stdout.split("Global Options:")[0]; // the README lists those elsewhere
  const fromHelp = [...own.matchAll(/^\s+(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1])
    .filter((f) => f !== "--help").sort();
  const table = section("`s9s stream`").split("\n").filter((l) => l.startsWith("| `-"));
  const fromReadme = table.map((l) => /(--[a-z-]+)/.exec(l)![1]).sort();
  assertEquals(fromReadme, fromHelp);
});

Deno.test("README's Other commands name every command of `s9s --help`", async () => {
  const help = await runS9s(["--help"], { env: { NO_COLOR: "1" } });
  assertEquals(help.code, 0);
  const commands = [...help.stdout.split("Commands:")[1].matchAll(/^ {2}([a-z]+)\b/gm)]
    .map((m) => m[1]).filter((c) => c !== "help");
  const other = section("Other commands");
  const documented = readme.includes("## `s9s stream`") ? ["stream"] : [];
  for (const c of commands) {
    assert(
      documented.includes(c) || other.includes(`\`s9s ${c}`),
      `README's Other commands mention s9s ${c}`,
    );
  }
});
