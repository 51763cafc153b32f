/**
 * sbatch's command line as sbatch (getopt) reads it: which options take a value, so that a
 * command line can be walked without changing it — to find the batch script (everything after it
 * is the script's), and to read the options slurmrestd's job submit needs as fields.
 * @module
 */

/** sbatch's short options that take a value (22.05: `-N 2`, `-N2`). */
const SHORT_WITH_VALUE = new Set("aAbBcCdDeFGiJLmMnNopqStwx".split(""));

/** sbatch's long options that take a value, given as `--opt value` or `--opt=value`. */
const LONG_WITH_VALUE = new Set([
  "account",
  "acctg-freq",
  "array",
  "batch",
  "bb",
  "bbf",
  "begin",
  "chdir",
  "cluster-constraint",
  "clusters",
  "comment",
  "constraint",
  "container",
  "core-spec",
  "cores-per-socket",
  "cpu-freq",
  "cpus-per-gpu",
  "cpus-per-task",
  "deadline",
  "delay-boot",
  "dependency",
  "distribution",
  "error",
  "exclude",
  "export",
  "export-file",
  "extra-node-info",
  "gid",
  "gpu-bind",
  "gpu-freq",
  "gpus",
  "gpus-per-node",
  "gpus-per-socket",
  "gpus-per-task",
  "gres",
  "gres-flags",
  "hint",
  "input",
  "job-name",
  "kill-on-invalid-dep",
  "licenses",
  "mail-type",
  "mail-user",
  "mcs-label",
  "mem",
  "mem-bind",
  "mem-per-cpu",
  "mem-per-gpu",
  "mincpus",
  "network",
  "nodefile",
  "nodelist",
  "nodes",
  "ntasks",
  "ntasks-per-core",
  "ntasks-per-gpu",
  "ntasks-per-node",
  "ntasks-per-socket",
  "open-mode",
  "output",
  "partition",
  "power",
  "prefer",
  "priority",
  "profile",
  "qos",
  "reservation",
  "signal",
  "sockets-per-node",
  "switches",
  "thread-spec",
  "threads-per-core",
  "time",
  "time-min",
  "tmp",
  "tres-per-task",
  "uid",
  "wckey",
  "wrap",
]);

/** One sbatch option as given: its name (`-N` or `--nodes`) and value, if it has one. */
export interface SbatchOption {
  /** `-N`, `--nodes`: the name as written. */
  name: string;
  value?: string;
}

/** The options one argv position holds (several for a short bundle `-Hv`) and its span. */
export interface SbatchWords {
  options: SbatchOption[];
  /** How many argv words they take (2 when the value is the next word). */
  words: number;
}

/** Whether sbatch's long option `name` (without dashes or value) takes a value. */
export function longTakesValue(name: string): boolean {
  return LONG_WITH_VALUE.has(name);
}

/** Read what sbatch reads at `args[i]` (which begins with `-`), as getopt does. */
export function readSbatchOption(args: string[], i: number): SbatchWords {
  const arg = args[i];
  if (arg.startsWith("--")) {
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    if (eq > 0) return { options: [{ name: `--${name}`, value: arg.slice(eq + 1) }], words: 1 };
    if (longTakesValue(name)) {
      return { options: [{ name: `--${name}`, value: args[i + 1] }], words: 2 };
    }
    return { options: [{ name: `--${name}` }], words: 1 };
  }
  // A bundle of short flags: the first that takes a value takes the rest of the word or the next.
  const options: SbatchOption[] = [];
  for (let k = 1; k < arg.length; k++) {
    const c = arg[k];
    if (!SHORT_WITH_VALUE.has(c)) {
      options.push({ name: `-${c}` });
      continue;
    }
    const rest = arg.slice(k + 1);
    options.push({ name: `-${c}`, value: rest || args[i + 1] });
    return { options, words: rest ? 1 : 2 };
  }
  return { options, words: 1 };
}

/** Whether sbatch would take `arg` as an option (not the script: `-` alone is not one). */
export function isOptionWord(arg: string): boolean {
  return arg.startsWith("-") && arg !== "-";
}
