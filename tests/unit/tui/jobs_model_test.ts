import { assert, assertEquals } from "../../_helpers/assert.ts";
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

/** An array task: its job id is the array's. */
const task = (id: string): JobInfo => ({ ...job("7", id), id });

Deno.test("JobsModel fetches, sorts newest first and tells its listener; a failure is reported", async () => {
  let fail = false;
  const lister = {
    name: "fake",
    listJobs: () =>
      fail
        ? Promise.reject(new Error("slurmctld down"))
        : Promise.resolve([task("7_10"), job("9", "b"), task("7_2"), job("8", "a")]),
  };
  const m = new JobsModel(lister);
  const events: string[] = [];
  const listener = {
    jobsChanged: () => events.push("changed"),
    jobsFailed: (err: unknown) => events.push(`failed: ${(err as Error).message}`),
  };
  m.start(listener, 60_000);
  try {
    await m.refresh();
    assertEquals(m.shown.map((j) => j.id), ["9", "8", "7_2", "7_10"]);
    assert(events.length >= 1 && events.every((e) => e === "changed"), `${events}`);
    fail = true;
    await m.refresh();
    assertEquals(events.at(-1), "failed: slurmctld down");
    assertEquals(m.shown.length, 4, "the last good list stays");
  } finally {
    m.stop();
  }
});

Deno.test("JobsModel search finds a job by any node of its node list", () => {
  const m = new JobsModel();
  m.setJobs([
    { ...job("1", "a"), nodeList: "node[01-04,07]" },
    { ...job("2", "b"), nodeList: "gpu[1-2]-ib" },
    { ...job("3", "c"), nodeList: "n[1-" },
  ]);
  m.setSearch("node03");
  assertEquals(m.shown.map((j) => j.id), ["1"]);
  m.setSearch("gpu2-ib");
  assertEquals(m.shown.map((j) => j.id), ["2"]);
});
