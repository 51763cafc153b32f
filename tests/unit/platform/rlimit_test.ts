import { assertEquals } from "../../_helpers/assert.ts";
import { fdLimit } from "../../../src/platform/rlimit.ts";

/** fdLimit() in a new process started by bash after `ulimitArgs`. */
async function limitUnder(ulimitArgs: string): Promise<{ soft: number; hard: number }> {
  const code = `
    import { fdLimit } from "${new URL("../../../src/platform/rlimit.ts", import.meta.url).href}";
    console.log(JSON.stringify(fdLimit()));`;
  const out = await new Deno.Command("bash", {
    args: ["-c", `ulimit ${ulimitArgs} && exec "$0" eval --quiet "$1"`, Deno.execPath(), code],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

Deno.test("fdLimit reads the open-file limits a process was given", async () => {
  // Both limits set: Deno cannot raise the soft one past the hard one.
  assertEquals(await limitUnder("-n 300"), { soft: 300, hard: 300 });
  assertEquals(await limitUnder("-n 1000"), { soft: 1000, hard: 1000 });
  const mine = fdLimit();
  assertEquals(typeof mine?.soft, "number");
  assertEquals(mine!.soft <= mine!.hard, true);
});
