import { deepStrictEqual, throws } from "node:assert";
import { splitSubmitArgs } from "../../../src/cli/submit_options.ts";
import { UsageError } from "../../../src/errors.ts";

Deno.test("splitSubmitArgs takes s9s's long options and leaves sbatch's, in order", () => {
  const a = splitSubmitArgs([
    "-o",
    "out-%j.txt",
    "--filter",
    "ERR",
    "-N2",
    "--partition",
    "debug",
    "--output-format=json",
    "--exclude=DEBUG",
    "-J",
    "--filter",
    "--config",
    "c.yaml",
    "job.sh",
    "--filter",
    "x",
    "-o",
  ]);
  deepStrictEqual(a.sbatch, [
    "-o",
    "out-%j.txt",
    "-N2",
    "--partition",
    "debug",
    "-J",
    "--filter", // the value of -J: a job named "--filter", as sbatch reads it
    "job.sh",
    "--filter",
    "x",
    "-o",
  ]);
  deepStrictEqual(a.opts.filter, ["ERR"]);
  deepStrictEqual(a.opts.exclude, ["DEBUG"]);
  deepStrictEqual(a.opts.outputFormat, "json");
  deepStrictEqual(a.opts.type, "all");
  deepStrictEqual(a.globals, { config: "c.yaml" });
  deepStrictEqual([a.script, a.wrap, a.help], ["job.sh", false, false]);
});

Deno.test("splitSubmitArgs: --wrap, short bundles, and -- ending s9s's options", () => {
  const w = splitSubmitArgs(["-Hn", "2", "--quiet", "--wrap", "srun --exclude x", "--events"]);
  deepStrictEqual(w.sbatch, ["-Hn", "2", "--wrap", "srun --exclude x"]);
  deepStrictEqual([w.wrap, w.script, w.opts.quiet, w.opts.events], [true, undefined, true, true]);
  const d = splitSubmitArgs(["--cancel-on-interrupt", "--", "--exclude=node3", "run.sh", "-v"]);
  deepStrictEqual(d.sbatch, ["--exclude=node3", "run.sh", "-v"]);
  deepStrictEqual([d.script, d.opts.cancelOnInterrupt, d.opts.exclude], [
    "run.sh",
    true,
    undefined,
  ]);
  deepStrictEqual(splitSubmitArgs(["--help"]).help, true);
  deepStrictEqual(splitSubmitArgs(["job.sh", "--help"]).help, false);
  deepStrictEqual(splitSubmitArgs(["--no-color", "j.sh"]).opts.color, false);
});

Deno.test("splitSubmitArgs refuses s9s's own options given wrongly", () => {
  throws(() => splitSubmitArgs(["--type", "both", "j.sh"]), UsageError);
  throws(() => splitSubmitArgs(["--filter"]), /--filter needs a value/);
  throws(() => splitSubmitArgs(["--quiet=yes", "j.sh"]), /--quiet takes no value/);
});

Deno.test("splitSubmitArgs notes an sbatch -o that names an s9s output format", () => {
  deepStrictEqual(splitSubmitArgs(["-o", "json", "--wrap", "true"]).outputLikeFormat, "json");
  deepStrictEqual(splitSubmitArgs(["-otext", "job.sh"]).outputLikeFormat, "text");
  deepStrictEqual(splitSubmitArgs(["--output=json", "job.sh"]).outputLikeFormat, "json");
  deepStrictEqual(splitSubmitArgs(["-o", "out-%j.txt", "job.sh"]).outputLikeFormat, undefined);
  // After the script, -o is the script's own argument.
  deepStrictEqual(splitSubmitArgs(["job.sh", "-o", "json"]).outputLikeFormat, undefined);
});
