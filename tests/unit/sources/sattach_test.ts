import { deepStrictEqual } from "node:assert";
import { stepOwner } from "../../../src/sources/sattach.ts";

Deno.test("stepOwner reads UserId in each form scontrol prints it", () => {
  const line = (u: string) =>
    `StepId=321.0 UserId=${u} StartTime=2026-12-02T16:51:24 State=RUNNING`;
  deepStrictEqual(stepOwner(line("0")), { uid: 0 });
  deepStrictEqual(stepOwner(line("ana(1002)")), { name: "ana", uid: 1002 });
  deepStrictEqual(stepOwner(line("ana")), { name: "ana" });
  deepStrictEqual(stepOwner("StepId=321.0 State=RUNNING"), undefined);
});
