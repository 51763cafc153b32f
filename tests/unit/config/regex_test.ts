import { assertEquals } from "../../_helpers/assert.ts";
import { cannotBacktrackLong } from "../../../src/config/regex.ts";
import { ROOT, taskV8Flags } from "../../_helpers/cli.ts";

const CASES: [pattern: string, flags: string, withTaskFlags: boolean, without: boolean][] = [
  // Plain text alternatives: linear whatever the flags.
  ["error|fail|exception|fatal", "i", true, true],
  ["ERROR|WARN", "", true, true],
  ["slurmstepd: error\\: x", "", true, true],
  ["", "", true, true],
  // Quantifiers: linear only through V8's linear engine (the task's flags), not with `i`.
  ["\\d+(\\.\\d+)?%|progress:", "", true, false],
  ["^(a+)+$", "", true, false],
  ["^(a+)+$", "i", false, false],
  ["(?<n>x)y*", "g", true, false],
  // Back-references and lookahead: the linear engine refuses them.
  ["^(a+)+\\1$", "", false, false],
  ["(a)\\1", "", false, false],
  ["(?=x)a", "", false, false],
  ["err(or|)", "i", false, false],
];

Deno.test("cannotBacktrackLong: plain text always; others only on the task's linear engine", async () => {
  // Here (deno test, no V8 flags) the `l` flag does not exist.
  for (const [p, f, , without] of CASES) {
    assertEquals(cannotBacktrackLong(p, new Set(f)), without, `/${p}/${f} without the flags`);
  }
  // With the `s9s` task's V8 flags, in a process of its own.
  const code = `
    import { cannotBacktrackLong } from "${ROOT}src/config/regex.ts";
    const cases = ${JSON.stringify(CASES)};
    console.log(JSON.stringify(cases.map(([p, f]) => cannotBacktrackLong(p, new Set(f)))));`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--quiet", `--v8-flags=${taskV8Flags()}`, code],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  const got = JSON.parse(new TextDecoder().decode(out.stdout)) as boolean[];
  CASES.forEach(([p, f, want], i) =>
    assertEquals(got[i], want, `/${p}/${f} with the task's flags`)
  );
});
