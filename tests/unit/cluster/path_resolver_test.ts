import { deepStrictEqual } from "node:assert";
import { fieldsFromId, resolveOutput } from "../../../src/cluster/path_resolver.ts";
import type { JobInfo } from "../../../src/cluster/job.ts";
import { defaultRawConfig } from "../../../src/config/defaults.ts";
import { type Config, configSchema } from "../../../src/config/schema.ts";

function streaming(fp: Partial<Config["streaming"]["file_paths"]> = {}): Config["streaming"] {
  const c = configSchema.parse(defaultRawConfig());
  Object.assign(c.streaming.file_paths, fp);
  return c.streaming;
}

function job(over: Partial<JobInfo> = {}): JobInfo {
  return {
    id: "42",
    jobId: 42,
    name: "train",
    user: "ada",
    state: "RUNNING",
    workDir: "/home/ada/run",
    batchHost: "cn01",
    ...over,
  };
}

/** A fake file system holding exactly these paths. */
function fs(...paths: string[]) {
  const set = new Set(paths);
  return {
    exists: (p: string) => Promise.resolve(set.has(p)),
    glob: (pattern: string) => {
      const re = new RegExp(
        "^" + pattern.replace(/[.+^${}()|\\]/g, "\\$&").replace(/\*/g, "[^/]*") + "$",
      );
      return Promise.resolve([...set].filter((p) => re.test(p)));
    },
  };
}

const summary = (r: Awaited<ReturnType<typeof resolveOutput>>) => ({
  chosen: r.location?.path,
  merged: r.location?.merged ?? false,
  tried: r.candidates.map((c) => `${c.exists ? "+" : "-"} ${c.path} [${c.from}]`),
});

Deno.test("resolveOutput prefers the job's own StdOut/StdErr, relative to WorkDir, expanding what Slurm left", async () => {
  const j = job({ stdout: "logs/%x-%j.out", stderr: "/abs/%x-%j.err" });
  const f = fs("/home/ada/run/logs/train-42.out", "/abs/train-42.err");
  deepStrictEqual(summary(await resolveOutput("42", j, "stdout", streaming(), f)), {
    chosen: "/home/ada/run/logs/train-42.out",
    merged: false,
    tried: ["+ /home/ada/run/logs/train-42.out [StdOut]"],
  });
  const err = await resolveOutput("42", j, "stderr", streaming(), f);
  deepStrictEqual(err.location?.path, "/abs/train-42.err");
  deepStrictEqual(err.location?.host, "cn01");
});

Deno.test("resolveOutput uses Slurm's default slurm-%j.out, with stderr merged into it", async () => {
  const f = fs("/home/ada/run/slurm-42.out");
  deepStrictEqual(
    summary(await resolveOutput("42", job(), "stdout", streaming(), f)).chosen,
    "/home/ada/run/slurm-42.out",
  );
  const err = summary(await resolveOutput("42", job(), "stderr", streaming(), f));
  deepStrictEqual([err.chosen, err.merged], ["/home/ada/run/slurm-42.out", true]);
});

Deno.test("resolveOutput sends stderr to the stdout file when Slurm reports no separate StdErr", async () => {
  const j = job({ stdout: "/o/%j.txt" });
  const err = summary(await resolveOutput("42", j, "stderr", streaming(), fs("/o/42.txt")));
  deepStrictEqual(err, {
    chosen: "/o/42.txt",
    merged: true,
    tried: ["+ /o/42.txt [StdOut (stderr is not separate)]"],
  });
});

Deno.test("resolveOutput names array tasks slurm-%A_%a.out by default and pads %4a", async () => {
  const t = job({ id: "40_3", jobId: 43, arrayJobId: 40, arrayTaskId: 3 });
  deepStrictEqual(
    (await resolveOutput("40_3", t, "stdout", streaming(), fs("/home/ada/run/slurm-40_3.out")))
      .location?.path,
    "/home/ada/run/slurm-40_3.out",
  );
  const padded = job({ ...t, stdout: "/o/r-%A-%4a.out" });
  deepStrictEqual(
    (await resolveOutput("40_3", padded, "stdout", streaming(), fs("/o/r-40-0003.out"))).location
      ?.path,
    "/o/r-40-0003.out",
  );
});

Deno.test("resolveOutput expands %N to the first node of the job", async () => {
  const j = job({ batchHost: undefined, nodeList: "gpu[07-09]", stdout: "/scratch/%N/%j.log" });
  deepStrictEqual(
    (await resolveOutput("42", j, "stdout", streaming(), fs("/scratch/gpu07/42.log"))).location
      ?.path,
    "/scratch/gpu07/42.log",
  );
});

Deno.test("resolveOutput tries StdOut, then base_dir + pattern, then custom patterns, in that order", async () => {
  const cfg = streaming({
    base_dir: "/logs",
    stdout_pattern: "%u/%j.out",
    custom_patterns: ["/nfs/job_%j/*.log"],
  });
  const j = job({ stdout: "/gone/%j.out" });
  deepStrictEqual(summary(await resolveOutput("42", j, "stdout", cfg, fs("/nfs/job_42/a.log"))), {
    chosen: "/nfs/job_42/a.log",
    merged: false,
    tried: [
      "- /gone/42.out [StdOut]",
      "- /logs/ada/42.out [file_paths.stdout_pattern]",
      "+ /nfs/job_42/*.log [file_paths.custom_patterns]",
    ],
  });
  deepStrictEqual(
    summary(
      await resolveOutput("42", j, "stdout", cfg, fs("/logs/ada/42.out", "/nfs/job_42/a.log")),
    ).chosen,
    "/logs/ada/42.out",
  );
});

Deno.test("resolveOutput follows the job's own file when nothing is visible yet", async () => {
  const r = await resolveOutput("42", job({ stdout: "/o/%j.out" }), "stdout", streaming(), fs());
  deepStrictEqual([r.location?.path, r.location?.exists], ["/o/42.out", false]);
});

Deno.test("resolveOutput uses --path first, expanded against the job, and only it", async () => {
  const j = job({ stdout: "/o/%j.out" });
  const r = summary(
    await resolveOutput("42", j, "stdout", streaming(), {
      ...fs("/o/42.out"),
      pathOverride: "mine-%j.log",
    }),
  );
  deepStrictEqual(r, {
    chosen: "/home/ada/run/mine-42.log",
    merged: false,
    tried: ["- /home/ada/run/mine-42.log [--path]"],
  });
  const err = summary(
    await resolveOutput("42", j, "stderr", streaming(), { ...fs(), pathOverride: "/p/%j" }),
  );
  deepStrictEqual([err.chosen, err.merged], ["/p/42", true]);
  const sep = summary(
    await resolveOutput("42", j, "stderr", streaming(), {
      ...fs(),
      pathOverride: "/p/%j",
      stderrPathOverride: "/p/%j.e",
    }),
  );
  deepStrictEqual([sep.chosen, sep.merged, sep.tried], ["/p/42.e", false, [
    "- /p/42.e [--stderr-path]",
  ]]);
});

Deno.test("resolveOutput finds a forgotten job by its id through the configured patterns", async () => {
  const cfg = streaming({
    base_dir: "/logs",
    stdout_pattern: "job-%j.log",
    stderr_pattern: "job-%j.err",
  });
  const out = summary(await resolveOutput("9", undefined, "stdout", cfg, fs("/logs/job-9.log")));
  deepStrictEqual(out.chosen, "/logs/job-9.log");
  const err = await resolveOutput("9", undefined, "stderr", cfg, fs("/logs/job-9.log"));
  deepStrictEqual(err.location, undefined);
  deepStrictEqual(err.candidates[0].path, "/logs/job-9.err");
});

Deno.test("resolveOutput falls back to Slurm's default name here for a forgotten array task", async () => {
  const p = `${Deno.cwd()}/slurm-5_2.out`;
  const r = summary(await resolveOutput("5_2", undefined, "stdout", streaming(), fs(p)));
  deepStrictEqual(r.chosen, p);
});

Deno.test("fieldsFromId splits array task ids", () => {
  const f = fieldsFromId("5_2");
  deepStrictEqual([f.jobId, f.arrayJobId, f.arrayTaskId], [5, 5, 2]);
  deepStrictEqual(fieldsFromId("17").arrayTaskId, undefined);
});

Deno.test("resolveOutput takes a job's file that fails to stat (a symlink loop) as there, not as missing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const loop = `${dir}/42.out`;
    await Deno.symlink(loop, loop); // stat fails with "too many levels of symbolic links"
    const res = await resolveOutput(
      "42",
      job({ stdout: loop, workDir: dir }),
      "stdout",
      streaming(),
    );
    // Opening it is where the user learns what is wrong with it (the file source reports it).
    deepStrictEqual(
      [res.location?.path, res.location?.exists, res.candidates[0].note],
      [loop, true, "chosen: the job's own output file"],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
