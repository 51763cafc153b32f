/**
 * An sbatch command line as slurmrestd's job submit wants it (`POST /slurm/{v}/job/submit`,
 * v0.0.38 and later): the script's text and a `job` object of properties. The script's
 * `#SBATCH` lines are read as sbatch reads them (before its first command; the command line
 * wins), `--wrap` becomes a `/bin/sh` script, and an option the API has no field for is refused
 * by name instead of being dropped.
 * @module
 */
import { UsageError } from "../errors.ts";
import { isOptionWord, readSbatchOption, type SbatchOption } from "./sbatch_options.ts";

/** The body of a job submit request. */
export interface JobSubmission {
  script: string;
  job: Record<string, unknown>;
}

/** What {@link jobSubmission} needs besides the command line. */
export interface SubmissionContext {
  /** The directory sbatch would run in (the job's default working directory). */
  cwd: string;
  /** The environment `--export=ALL` (the default) sends. */
  env: Record<string, string>;
  /** Reads the batch script. */
  readScript: (path: string) => Promise<string>;
}

/** Short option → long name, for the options that map to a field. */
const LONG: Record<string, string> = {
  "-J": "job-name",
  "-p": "partition",
  "-t": "time",
  "-o": "output",
  "-e": "error",
  "-i": "input",
  "-D": "chdir",
  "-a": "array",
  "-n": "ntasks",
  "-N": "nodes",
  "-c": "cpus-per-task",
  "-A": "account",
  "-q": "qos",
  "-d": "dependency",
  "-H": "hold",
  "-C": "constraint",
  "-k": "no-kill",
  "-Q": "quiet",
  "-v": "verbose",
};

/** Options that only change what sbatch prints: nothing to send. */
const IGNORED = new Set(["quiet", "verbose", "parsable"]);

/** Fields taken as they are. */
const STRINGS: Record<string, string> = {
  "job-name": "name",
  partition: "partition",
  output: "standard_output",
  error: "standard_error",
  input: "standard_input",
  chdir: "current_working_directory",
  array: "array",
  account: "account",
  qos: "qos",
  dependency: "dependency",
  comment: "comment",
  reservation: "reservation",
  constraint: "constraints",
  gres: "gres",
  "mail-type": "mail_type",
  "mail-user": "mail_user",
  signal: "signal",
  "open-mode": "open_mode",
  wckey: "wckey",
};

/** Fields that take a whole number. */
const INTEGERS: Record<string, string> = {
  ntasks: "tasks",
  "cpus-per-task": "cpus_per_task",
  "ntasks-per-node": "tasks_per_node",
};

/** `--time` in minutes: `M`, `M:S`, `H:M:S`, `D-H`, `D-H:M`, `D-H:M:S`. */
export function timeMinutes(v: string): number | undefined {
  if (/^(infinite|unlimited)$/i.test(v)) return undefined;
  const m = /^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$/.exec(v);
  if (!m) {
    throw new UsageError(`--time "${v}" is not a time limit`, {
      hint: "e.g. --time=30 or 1-12:00:00",
    });
  }
  const [d, a, b, c] = [m[1], m[2], m[3], m[4]].map((x) => x === undefined ? undefined : Number(x));
  let seconds: number;
  if (d !== undefined) seconds = d * 86400 + a! * 3600 + (b ?? 0) * 60 + (c ?? 0);
  else if (c !== undefined) seconds = a! * 3600 + b! * 60 + c;
  else if (b !== undefined) seconds = a! * 60 + b;
  else seconds = a! * 60;
  return Math.ceil(seconds / 60);
}

/** `--mem` in MB: `500`, `500M`, `2G`, `1T`, `512K`. */
export function memoryMb(flag: string, v: string): number {
  const m = /^(\d+)([KMGT]?)B?$/i.exec(v);
  if (!m) throw new UsageError(`${flag} "${v}" is not a size`, { hint: `e.g. ${flag}=4G` });
  const f = { "": 1, K: 1 / 1024, M: 1, G: 1024, T: 1024 * 1024 }[m[2].toUpperCase()]!;
  return Math.ceil(Number(m[1]) * f);
}

/** `#SBATCH` options of a script: the lines before its first command, split as a shell would. */
export function directives(script: string): string[] {
  const words: string[] = [];
  for (const line of script.split("\n").slice(script.startsWith("#!") ? 1 : 0)) {
    const t = line.trim();
    if (t === "") continue;
    if (!t.startsWith("#")) break;
    const m = /^#SBATCH\s+(.*)$/.exec(t);
    if (!m) continue;
    const text = m[1].replace(/\s+#.*$/, "");
    for (const w of text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) words.push(w[1] ?? w[2] ?? w[3]);
  }
  return words;
}

/** The environment of `--export` (ALL by default; NONE; a list, with ALL or not). */
function environment(
  spec: string | undefined,
  env: Record<string, string>,
): Record<string, string> {
  if (spec === undefined || spec === "ALL") return { ...env };
  const out: Record<string, string> = {};
  const items = spec.split(",");
  if (items.includes("ALL")) Object.assign(out, env);
  for (const item of items) {
    if (item === "ALL" || item === "NONE") continue;
    const eq = item.indexOf("=");
    if (eq > 0) out[item.slice(0, eq)] = item.slice(eq + 1);
    else if (env[item] !== undefined) out[item] = env[item];
  }
  // slurmrestd wants at least one variable.
  if (Object.keys(out).length === 0) out.PATH = "/bin:/usr/bin";
  return out;
}

/** Walk sbatch words into options, the script and its arguments. */
function walk(args: string[]): { options: SbatchOption[]; rest: string[] } {
  const options: SbatchOption[] = [];
  for (let i = 0; i < args.length; i++) {
    if (!isOptionWord(args[i])) return { options, rest: args.slice(i) };
    const r = readSbatchOption(args, i);
    options.push(...r.options);
    i += r.words - 1;
  }
  return { options, rest: [] };
}

/**
 * The job submit request for an sbatch command line. Throws a UsageError naming every option
 * the API cannot carry, and for a missing script.
 */
export async function jobSubmission(
  args: string[],
  ctx: SubmissionContext,
): Promise<JobSubmission> {
  const cli = walk(args);
  const wrap = cli.options.findLast((o) => o.name === "--wrap")?.value;
  let script: string;
  if (wrap !== undefined) {
    script = `#!/bin/sh\n# This script was created by s9s submit --wrap.\n\n${wrap}\n`;
  } else if (cli.rest.length > 0) {
    script = await ctx.readScript(cli.rest[0]);
  } else {
    throw new UsageError("slurmrestd's job submit needs a batch script file or --wrap", {
      hint: "give the script's file name, e.g. `s9s submit --cluster-api rest job.sh`",
    });
  }
  const options = [...walk(directives(script)).options, ...cli.options];
  const job: Record<string, unknown> = { current_working_directory: ctx.cwd };
  const refused: string[] = [];
  let exportSpec: string | undefined;
  for (const o of options) {
    const long = o.name.startsWith("--") ? o.name.slice(2) : LONG[o.name];
    const v = o.value;
    if (long === undefined) refused.push(o.name);
    else if (long === "wrap" || IGNORED.has(long)) continue;
    else if (STRINGS[long] && v !== undefined) job[STRINGS[long]] = v;
    else if (INTEGERS[long] && v !== undefined && /^\d+$/.test(v)) job[INTEGERS[long]] = Number(v);
    else if (long === "time" && v !== undefined) job.time_limit = timeMinutes(v);
    else if (long === "mem" && v !== undefined) job.memory_per_node = memoryMb("--mem", v);
    else if (long === "mem-per-cpu" && v !== undefined) {
      job.memory_per_cpu = memoryMb("--mem-per-cpu", v);
    } else if (long === "nodes" && v !== undefined && /^\d+(-\d+)?$/.test(v)) {
      job.nodes = v.split("-").map(Number);
    } else if (long === "hold") job.hold = true;
    else if (long === "requeue" || long === "no-requeue") job.requeue = long === "requeue";
    else if (long === "no-kill") job.no_kill = true;
    else if (long === "exclusive") job.exclusive = v ?? "true";
    else if (long === "nice") job.nice = v === undefined ? 100 : Number(v);
    else if (long === "export" && v !== undefined) exportSpec = v;
    else refused.push(o.name);
  }
  if (refused.length) {
    const names = [...new Set(refused)].map((n) => `"${n}"`).join(", ");
    throw new UsageError(`slurmrestd's job submit has no field for ${names}`, {
      hint: "submit with the sbatch command instead: --cluster-api cli",
    });
  }
  job.environment = environment(exportSpec, ctx.env);
  // slurmrestd 22.05 (v0.0.38) dies on any `argv` in a job submit (a segmentation fault, seen on
  // the test cluster), so script arguments are refused rather than sent.
  if (cli.rest.length > 1) {
    throw new UsageError("script arguments cannot go through slurmrestd's job submit", {
      hint: "submit with the sbatch command (--cluster-api cli), or pass values in the " +
        "environment: --export=ALL,NAME=value",
    });
  }
  return { script, job };
}
