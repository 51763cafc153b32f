import { deepStrictEqual, rejects, throws } from "node:assert";
import { directives, jobSubmission, memoryMb, timeMinutes } from "../../../src/cluster/rest_job.ts";

const ctx = (script = "") => ({
  cwd: "/home/u/run",
  env: { PATH: "/usr/bin", HOME: "/home/u" },
  readScript: () => Promise.resolve(script),
});

Deno.test("directives reads #SBATCH lines up to the first command, quotes and comments too", () => {
  deepStrictEqual(
    directives(
      '#!/bin/bash\n#SBATCH -J "my job" -n 2\n# plain comment\n\n#SBATCH --mem=4G # per node\necho hi\n#SBATCH -p late\n',
    ),
    ["-J", "my job", "-n", "2", "--mem=4G"],
  );
});

Deno.test("timeMinutes and memoryMb read Slurm's formats", () => {
  deepStrictEqual(
    ["30", "90:30", "1:00:01", "2-3", "1-0:30", "1-00:00:30", "UNLIMITED"].map(timeMinutes),
    [30, 91, 61, 3060, 1470, 1441, undefined],
  );
  deepStrictEqual(["500", "500M", "2G", "1T", "512K"].map((v) => memoryMb("--mem", v)), [
    500,
    500,
    2048,
    1048576,
    1,
  ]);
  throws(() => timeMinutes("soon"), /--time "soon" is not a time limit/);
});

Deno.test("jobSubmission maps options onto job fields; the command line beats #SBATCH", async () => {
  const script = "#!/bin/sh\n#SBATCH -J fromfile -t 10 -N 2-3\n#SBATCH --requeue\nsrun hostname\n";
  const b = await jobSubmission(
    ["-J", "cli", "-n4", "--mem-per-cpu=1G", "-Hk", "--export=NONE,A=1", "-a", "1-3", "job.sh"],
    ctx(script),
  );
  deepStrictEqual(b.script, script);
  deepStrictEqual(b.job, {
    current_working_directory: "/home/u/run",
    name: "cli",
    time_limit: 10,
    nodes: [2, 3],
    requeue: true,
    tasks: 4,
    memory_per_cpu: 1024,
    hold: true,
    no_kill: true,
    array: "1-3",
    environment: { A: "1" },
  });
  const w = await jobSubmission(["-D", "/x", "--wrap", "echo hi"], ctx());
  deepStrictEqual(
    w.script,
    "#!/bin/sh\n# This script was created by s9s submit --wrap.\n\necho hi\n",
  );
  deepStrictEqual(w.job, {
    current_working_directory: "/x",
    environment: { PATH: "/usr/bin", HOME: "/home/u" },
  });
});

Deno.test("jobSubmission refuses what the API cannot carry, naming it", async () => {
  await rejects(
    () => jobSubmission(["-w", "n1", "--gpus=1", "--wrap", "x"], ctx()),
    /has no field for "-w", "--gpus"/,
  );
  await rejects(() => jobSubmission(["job.sh", "arg"], ctx("#!/bin/sh\n")), /script arguments/);
  await rejects(() => jobSubmission(["-n", "2"], ctx()), /needs a batch script file or --wrap/);
});
