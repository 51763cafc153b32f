/**
 * `s9s --version` from source: version, the checkout's commit, the runtime's versions, build kind.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { ROOT, runS9s } from "../_helpers/cli.ts";
import { VERSION } from "../../src/version.ts";
import { PROGRAM_SOURCES } from "../../src/platform/bundle.ts";

async function git(args: string[]): Promise<{ code: number; out: string }> {
  const r = await new Deno.Command("git", { args: ["-C", ROOT, ...args], stdout: "piped" })
    .output();
  return { code: r.code, out: new TextDecoder().decode(r.stdout).trim() };
}

Deno.test("s9s --version reports version, commit, Deno/V8 and that it runs from source", async () => {
  const head = await git(["rev-parse", "--short=12", "HEAD"]);
  // Uncommitted changes to what the program is made of (a README edit is none).
  const dirty = (await git(["diff", "--quiet", "HEAD", "--", ...PROGRAM_SOURCES])).code === 1;
  const commit = head.code === 0
    ? `${head.out}${dirty ? " (with uncommitted changes)" : ""}`
    : "unknown";
  const expected = [
    `s9s ${VERSION}`,
    `commit:     ${commit}`,
    `deno:       ${Deno.version.deno}`,
    `v8:         ${Deno.version.v8}`,
    `typescript: ${Deno.version.typescript}`,
    `build:      from source (${Deno.build.target})`,
    "",
  ].join("\n");
  for (const args of [["--version"], ["-V"], ["--mock", "--version"]]) {
    const r = await runS9s(args, { env: { NO_COLOR: "1" } });
    assertEquals(r.stdout, expected, `s9s ${args.join(" ")}`);
    assertEquals(r.stderr, "");
    assertEquals(r.code, 0);
  }
});

Deno.test("s9s --version outside a git checkout says the commit is unknown", async () => {
  const dir = await Deno.makeTempDir({ prefix: "s9s-ver-" });
  try {
    // A copy of the sources with no .git above them.
    const copy = new Deno.Command("cp", { args: ["-r", `${ROOT}src`, `${ROOT}main.ts`, dir] });
    assertEquals((await copy.output()).code, 0);
    await Deno.copyFile(`${ROOT}deno.json`, `${dir}/deno.json`);
    await Deno.copyFile(`${ROOT}deno.lock`, `${dir}/deno.lock`);
    const r = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--unsafe-proto", `${dir}/main.ts`, "--version"],
      cwd: dir,
      env: { NO_COLOR: "1", GIT_CEILING_DIRECTORIES: dir.replace(/\/[^/]+$/, "") },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const out = new TextDecoder().decode(r.stdout);
    assertEquals(out.split("\n")[1], "commit:     unknown", out);
    assertEquals(r.code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
