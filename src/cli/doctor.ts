/**
 * `s9s doctor [--job N] [--node NODE]`: what works on this host, as a table of checks (✔ ok,
 * ✘ failed, – not applicable) with a hint on each that needs one; `-o json` for scripts. Exit 0
 * when nothing failed, 1 otherwise. Every check has a deadline, so doctor never hangs.
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { outputFormatOption } from "./output_format_option.ts";
import { stdoutOut } from "./output.ts";
import { type GlobalFlags, makeContext, openCluster } from "./common.ts";
import { stdoutIsTerminal } from "../platform/terminal.ts";
import {
  type Check,
  CHECK_DEADLINE_MS,
  historyDirectory,
  inotifyLimits,
  minJobAge,
  openFiles,
  slurmCommands,
  slurmRest,
  terminal,
  withDeadline,
} from "./doctor_checks.ts";
import { jobOutput, nodeOverSsh, type RemoteFile } from "./doctor_job.ts";

/** Options of `s9s doctor`. */
export interface DoctorOptions {
  job?: string;
  node?: string;
  outputFormat: string;
}

/** Build the `doctor` subcommand. */
export function doctorCommand(globals: () => GlobalFlags) {
  return new Command("doctor")
    .description(
      "check what works here: Slurm, slurmrestd, SSH to nodes, limits, history, terminal",
    )
    .option("-j, --job <id>", "also check this job's output files and its node")
    .option("--node <name>", "also check that this node answers over SSH (each transport)")
    .addOption(outputFormatOption())
    .action(async (opts) => {
      Deno.exitCode = await runDoctor(globals(), opts);
    });
}

const MARKS = { ok: "✔", fail: "✘", skip: "–" } as const;

/** Run every check and print the table (or JSON); returns the exit code. */
export async function runDoctor(flags: GlobalFlags, opts: DoctorOptions): Promise<number> {
  const ctx = await makeContext(flags);
  const config = ctx.loaded.config;
  // Where the kernel's limits are read: the real /proc/sys (S9S_DOCTOR_PROC_SYS for tests).
  const env = { procSys: Deno.env.get("S9S_DOCTOR_PROC_SYS") || "/proc/sys" };
  const d = CHECK_DEADLINE_MS;
  const sshDeadline = config.streaming.ssh.timeout + 5_000;
  const groups: Promise<Check[]>[] = [
    withDeadline("Slurm commands", d, (s) => slurmCommands(s, config)),
    withDeadline("slurmrestd", d, () => slurmRest(config)),
    withDeadline("MinJobAge", d, (s) => minJobAge(s)),
    withDeadline("inotify limits", d, () => inotifyLimits(config, env)),
    withDeadline("open files", d, () => Promise.resolve(openFiles(config))),
    withDeadline("history directory", d, (s) => historyDirectory(config, s)),
    withDeadline("terminal", d, () => Promise.resolve(terminal(stdoutIsTerminal()))),
  ];
  if (opts.job) {
    const job = opts.job;
    groups.push(withDeadline(`job ${job}`, d + sshDeadline, async () => {
      const cluster = await openCluster(flags, ctx).catch(() => undefined);
      try {
        const r = await jobOutput(cluster, job, config);
        const node = opts.node ?? r.node;
        if (!node) return r.checks;
        const rows = await sshChecks(node, r.remote);
        // The output is read here: a node SSH cannot reach is worth knowing, not a failure.
        const needed = opts.node !== undefined || r.remote.length > 0;
        return [...r.checks, ...(needed ? rows : rows.map(notNeeded))];
      } finally {
        cluster?.close();
      }
    }));
  } else if (opts.node) {
    groups.push(sshChecks(opts.node, []));
  } else {
    // Which node to try is the user's to say: said, so that a plain run does not look as if
    // SSH had been checked.
    groups.push(Promise.resolve([{
      name: "SSH to nodes",
      mark: "skip",
      detail: "not checked: add --node NAME, or --job ID for the node a job runs on",
    }]));
  }
  function sshChecks(node: string, files: RemoteFile[]): Promise<Check[]> {
    return withDeadline(`ssh ${node}`, sshDeadline, () => nodeOverSsh(config, node, files));
  }
  const checks = (await Promise.all(groups)).flat();
  const failed = checks.some((c) => c.mark === "fail");
  if (opts.outputFormat === "json") {
    await stdoutOut.write(
      JSON.stringify(
        {
          ok: !failed,
          checks: checks.map((c) => ({
            name: c.name,
            status: c.mark,
            detail: c.detail,
            ...(c.hint ? { hint: c.hint } : {}),
          })),
        },
        null,
        2,
      ) + "\n",
    );
  } else {
    await stdoutOut.write(formatTable(checks));
  }
  return failed ? 1 : 0;
}

function notNeeded(c: Check): Check {
  if (c.mark !== "fail") return c;
  return { ...c, mark: "skip", detail: `not needed (the output is readable here): ${c.detail}` };
}

/** The text table: a mark, the check's name, what was found; its hint on the next line. */
export function formatTable(checks: Check[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines: string[] = [];
  for (const c of checks) {
    lines.push(`${MARKS[c.mark]} ${c.name.padEnd(width)}  ${c.detail}`);
    if (c.hint) lines.push(`  ${" ".repeat(width)}  hint: ${c.hint}`);
  }
  const failed = checks.filter((c) => c.mark === "fail").length;
  lines.push("", failed ? `${failed} check${failed > 1 ? "s" : ""} failed` : "all checks passed");
  return lines.join("\n") + "\n";
}
