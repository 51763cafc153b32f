import { assertEquals } from "../../_helpers/assert.ts";
import { isStaticText } from "../../../src/cli/cli_text_cache.ts";

Deno.test("isStaticText takes help and completion invocations only", () => {
  const yes = [
    ["--help"],
    ["-h"],
    ["help"],
    ["help", "stream"],
    ["stream", "--help"],
    ["config", "validate", "--help"],
    ["completions", "bash"],
    ["help", "-h"],
  ];
  const no = [
    [],
    ["--version"],
    ["stream", "--path", "x.log"],
    ["--help", "stream"], // commander reads it as help for the program; not worth a case
    ["--debug", "--help"],
    ["-c", "f.yaml", "--help"],
    ["completions"],
    ["completions", "bash", "--help"],
    ["stream", "--path=a", "--help"],
    ["history", "show", "/tmp/x", "--help"],
  ];
  for (const a of yes) assertEquals(isStaticText(a), true, a.join(" "));
  for (const a of no) assertEquals(isStaticText(a), false, a.join(" "));
});
