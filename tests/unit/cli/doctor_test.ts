import { formatTable } from "../../../src/cli/doctor.ts";
import { withDeadline } from "../../../src/cli/doctor_checks.ts";
import { assertEquals } from "../../_helpers/assert.ts";

Deno.test("doctor's withDeadline turns a check that never answers into a failed row", async () => {
  let aborted = false;
  const rows = await withDeadline("slurmrestd", 50, (signal) => {
    signal.addEventListener("abort", () => (aborted = true));
    return new Promise(() => {}); // hangs
  });
  assertEquals(rows.map((r) => [r.name, r.mark, r.detail]), [
    ["slurmrestd", "fail", "no answer within 0.05s"],
  ]);
  assertEquals(aborted, true, "the check was told to stop (its commands are killed)");
  const thrown = await withDeadline("x", 1000, () => Promise.reject(new Error("boom")));
  assertEquals([thrown[0].mark, thrown[0].detail], ["fail", "boom"]);
});

Deno.test("doctor's table: a mark, aligned names, the hint under its row, a count", () => {
  const text = formatTable([
    { name: "Slurm commands", mark: "ok", detail: "slurm 23.02.1" },
    { name: "slurmrestd", mark: "fail", detail: "no such socket", hint: "check the socket" },
    { name: "terminal", mark: "skip", detail: "stdout is not a terminal" },
  ]);
  assertEquals(
    text,
    [
      "✔ Slurm commands  slurm 23.02.1",
      "✘ slurmrestd      no such socket",
      "                  hint: check the socket",
      "– terminal        stdout is not a terminal",
      "",
      "1 check failed",
      "",
    ].join("\n"),
  );
});
