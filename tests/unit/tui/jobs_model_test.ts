import { assertEquals } from "../../_helpers/assert.ts";
import { JobsModel } from "../../../src/tui/model/jobs_model.ts";
import type { JobInfo } from "../../../src/cluster/job.ts";

const job = (id: string, name: string, state = "RUNNING"): JobInfo => ({
  id,
  jobId: Number(id),
  name,
  user: "u",
  state,
});

Deno.test("JobsModel keeps the selection on the same job across refreshes and searches", () => {
  const m = new JobsModel();
  m.setJobs([job("3", "a"), job("2", "b"), job("1", "c")]);
  m.move(1);
  assertEquals(m.selected?.id, "2");
  m.setJobs([job("4", "new"), job("3", "a"), job("2", "b"), job("1", "c")]);
  assertEquals(m.selected?.id, "2");
  m.setSearch("C");
  assertEquals(m.shown.map((j) => j.id), ["1"]);
  assertEquals(m.selected?.id, "1");
  m.setSearch("");
  m.jump("end");
  assertEquals(m.selected?.id, "1");
  m.move(-10);
  assertEquals(m.selected?.id, "4");
});
