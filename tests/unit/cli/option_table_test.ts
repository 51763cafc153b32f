import { assertEquals } from "../../_helpers/assert.ts";
import { Command } from "@commander-js/extra-typings";
import { parseFast, shapeOf } from "../../../src/cli/option_table.ts";
import { GLOBAL_OPTIONS } from "../../../src/cli/global_options.ts";
import { STREAM_OPTIONS } from "../../../src/cli/stream_options.ts";
import { addOptions } from "../../../src/cli/commander_options.ts";

type AnyCommand = Command<unknown[], Record<string, unknown>>;

/** What commander makes of `args` with the same tables, as main.ts builds the program. */
function viaCommander(args: string[]): Record<string, unknown>[] {
  const program = addOptions(new Command("s9s") as unknown as AnyCommand, GLOBAL_OPTIONS)
    .enablePositionalOptions(false).exitOverride();
  let got: Record<string, unknown> = {};
  const stream = addOptions(new Command("stream") as unknown as AnyCommand, STREAM_OPTIONS)
    .exitOverride().action(function () {
      got = this.opts();
    });
  program.addCommand(stream);
  program.parse(args, { from: "user" });
  return [program.opts(), got];
}

/** Plain and unusual flags: a fast result must equal commander's, or there is none. */
const CASES: string[][] = [
  ["stream", "--path", "a.log", "--no-follow"],
  ["stream", "-p", "a.log", "-p", "b.log", "-f", "ERROR|WARN", "-f", "x", "-o", "json"],
  ["stream", "--job", "1,2", "-j", " 3 ,", "--type=stderr", "-n", "10", "--quiet", "--no-color"],
  ["-c", "cfg.yaml", "--debug", "stream", "--path=a", "--exclude", "DEBUG", "--mock"],
  ["--cluster-api", "rest", "stream", "-j", "5", "--events", "--progress", "--exit-code"],
  ["stream", "-p", "a", "--node", "n1", "--source", "ssh", "--stderr-path", "e.log"],
  ["stream", "-p", "a", "--save", "s.gz", "--forward", "syslog://h", "--forward", "syslog://i"],
  ["stream", "-p", "a", "--template", "{{content}}", "--export-metrics", "prometheus://h:1"],
  ["stream", "-p", "a", "--explain", "--auto-detect", "--cluster-api=cli"],
  ["stream", "-p", "a", "--filter", "x", "--filter", "y", "--path", "b", "-t", "all"],
];

/** Commander's business: help, errors, oddities. The fast parser must give way. */
const FALLBACK: string[][] = [
  ["stream", "--help"],
  ["stream", "-h"],
  ["stream", "--pth", "a"],
  ["stream", "-o", "yaml", "-p", "a"],
  ["stream", "-p"],
  ["stream", "-qp", "a"],
  ["stream", "-p", "a", "extra"],
  ["stream", "-p", "a", "--", "-x"],
  ["stream", "-f", "-x"],
  ["stream", "--quiet=yes", "-p", "a"],
  ["--version", "stream", "-p", "a"],
  ["stream", "-V"],
  ["-p", "a", "stream"],
  ["jobs"],
  ["--cluster-api", "nope", "stream", "-p", "a"],
];

Deno.test("parseFast: plain stream flags parse exactly as commander parses them", () => {
  for (const args of CASES) {
    const fast = parseFast(args, "stream", GLOBAL_OPTIONS, STREAM_OPTIONS);
    assertEquals(fast, viaCommander(args), args.join(" "));
  }
});

Deno.test("parseFast: help, errors and unusual forms are left to commander", () => {
  for (const args of FALLBACK) {
    assertEquals(
      parseFast(args, "stream", GLOBAL_OPTIONS, STREAM_OPTIONS),
      undefined,
      args.join(" "),
    );
  }
});

Deno.test("option tables: every flag has a shape the fast parser knows, no name twice", () => {
  const names = [...GLOBAL_OPTIONS, ...STREAM_OPTIONS].flatMap((s) => {
    const o = shapeOf(s);
    return [o.short, o.long].filter(Boolean);
  });
  assertEquals(names.length, new Set(names).size);
});
