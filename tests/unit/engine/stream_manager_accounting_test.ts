/**
 * StreamManager when the cluster cannot tell whether a job exists (slurmctld forgot it and
 * accounting fails): the user is told "accounting unavailable" with the reason, never "not
 * found … purged", and a file that is there is still read.
 */
import { ok, strictEqual } from "node:assert";
import { StreamManager } from "../../../src/mod.ts";
import { AccountingUnavailableError } from "../../../src/cluster/accounting_unavailable_error.ts";
import type { ClusterBackend, JobInfo } from "../../../src/cluster/job.ts";
import { defaultRawConfig } from "../../../src/config/defaults.ts";
import { configSchema } from "../../../src/config/schema.ts";
import { JobNotFoundError } from "../../../src/errors.ts";
import { assertRejects } from "../../_helpers/assert.ts";

const REASON = "Problem talking to the database: Connection refused";

function config() {
  const raw = defaultRawConfig() as { streaming: Record<string, unknown> };
  raw.streaming.persistence = { ...(raw.streaming.persistence as object), enabled: false };
  return configSchema.parse(raw);
}

/** A cluster whose accounting is down: every lookup fails as SlurmCliBackend's would. */
const accountingDown: ClusterBackend = {
  name: "cli",
  listJobs: () => Promise.resolve([]),
  listSteps: () => Promise.resolve([]),
  getJob: (id: string): Promise<JobInfo[]> =>
    Promise.reject(new AccountingUnavailableError(id, REASON)),
  close() {},
};

Deno.test("StreamManager reports accounting unavailable, not 'not found', when no file is there", async () => {
  const dir = await Deno.makeTempDir();
  const cwd = Deno.cwd();
  Deno.chdir(dir); // no slurm-4242.out here
  const manager = new StreamManager({ config: config(), cluster: accountingDown });
  try {
    const err = await assertRejects(() => manager.startStream("4242", "stdout"));
    ok(err instanceof AccountingUnavailableError, String(err));
    ok(!(err instanceof JobNotFoundError));
    strictEqual(err.reason, REASON);
  } finally {
    manager.close();
    Deno.chdir(cwd);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("StreamManager still reads the file of a job accounting cannot confirm, saying why", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/job.out`;
  await Deno.writeTextFile(path, "one\ntwo\n");
  const manager = new StreamManager({ config: config(), cluster: accountingDown });
  const statuses: string[] = [];
  manager.subscribe({ onStatus: (_s, ev) => void statuses.push(ev.content) });
  try {
    await manager.startStream({ kind: "job", jobId: "4242", path, via: "auto" }, "stdout", {
      follow: false,
    });
    const lines: string[] = [];
    for await (const ev of manager.getStream("4242")) {
      if (ev.type !== "status") lines.push(ev.content);
    }
    strictEqual(lines.join(","), "one,two");
    const note = statuses.find((m) => m.includes("accounting is unavailable"));
    ok(note, statuses.join("\n"));
    ok(note.includes(REASON) && note.endsWith(`reading ${path}`), note);
    ok(!statuses.some((m) => /purged/.test(m)), statuses.join("\n"));
  } finally {
    manager.close();
    await Deno.remove(dir, { recursive: true });
  }
});
