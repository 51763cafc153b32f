/**
 * The cluster seen through the Slurm commands: `scontrol show job -o` for one job, `squeue
 * --json` for many (with a `squeue -o` fallback for builds without JSON), and `sacct` for jobs
 * slurmctld has forgotten when accounting is on.
 * @module
 */
import { UsageError } from "../errors.ts";
import {
  baseState,
  type ClusterBackend,
  type JobInfo,
  type ListOptions,
  parseJobId,
} from "./job.ts";
import {
  commandFailed,
  type CommandResult,
  type CommandRunner,
  runSlurmCommand,
} from "./slurm_command.ts";
import { jobsFromSlurmJson, selectJobs, slurmErrors, sortTasks } from "./slurm_json.ts";
import {
  configValue,
  parseSacct,
  parseScontrolJobs,
  parseSqueueText,
  SACCT_FIELDS,
  SQUEUE_FORMAT,
} from "./slurm_text.ts";

/** Options for {@link SlurmCliBackend}. */
export interface SlurmCliOptions {
  /** Milliseconds one command may take (15 s by default). */
  timeout?: number;
  /** Runs the commands; the real ones by default. */
  run?: CommandRunner;
  /**
   * Ask sacct about jobs scontrol no longer knows: `"auto"` (default) checks once whether
   * accounting is configured (`scontrol show config`).
   */
  accounting?: boolean | "auto";
}

/** scontrol on an unknown id, or a task outside an existing array ("Job 12_9 not found"). */
const INVALID_JOB = /invalid job id|job \S+ not found/i;

/** The Slurm-commands backend. */
export class SlurmCliBackend implements ClusterBackend {
  readonly name = "cli";
  #run: CommandRunner;
  #accounting: Promise<boolean> | undefined;
  /** Cleared once `squeue --json` failed: this build has no JSON output. */
  #squeueJson = true;

  constructor(options: SlurmCliOptions = {}) {
    this.#run = options.run ??
      ((cmd, args) => runSlurmCommand(cmd, args, { timeout: options.timeout }));
    const acct = options.accounting ?? "auto";
    if (acct !== "auto") this.#accounting = Promise.resolve(acct);
  }

  /** One job via `scontrol show job -o ID`; for an array id, all its tasks. [] when unknown. */
  async getJob(id: string): Promise<JobInfo[]> {
    const query = checkJobId(id);
    const args = ["show", "job", "-o", query];
    const r = await this.#run("scontrol", args);
    if (r.code === 0) return sortTasks(parseScontrolJobs(r.stdout, this.name));
    if (!INVALID_JOB.test(r.stderr + r.stdout)) throw commandFailed("scontrol", args, r);
    return await this.#fromAccounting(query);
  }

  /**
   * Several jobs with one `squeue --json` (scontrol per id when that fails); jobs squeue does not
   * show are looked up in accounting when it is on. Keys are the ids asked for.
   */
  async getJobs(ids: string[]): Promise<Map<string, JobInfo[]>> {
    const queries = [...new Set(ids.map(checkJobId))];
    const result = new Map<string, JobInfo[]>();
    if (queries.length === 0) return result;
    if (queries.length === 1) {
      result.set(queries[0], await this.getJob(queries[0]));
      return result;
    }
    const all = await this.#squeueJsonJobs(["--jobs=" + queries.join(",")]);
    for (const q of queries) {
      const found = all ? selectJobs(all, q) : await this.getJob(q);
      result.set(q, found.length || !all ? found : await this.#fromAccounting(q));
    }
    return result;
  }

  /** Jobs slurmctld knows (all states), filtered by user and base state. */
  async listJobs(options: ListOptions = {}): Promise<JobInfo[]> {
    const filter = options.user ? [`--user=${options.user}`] : [];
    let jobs = await this.#squeueJsonJobs(filter);
    if (!jobs) {
      const args = ["-h", "--states=all", ...filter, "-o", SQUEUE_FORMAT];
      const r = await this.#run("squeue", args);
      if (r.code !== 0) throw commandFailed("squeue", args, r);
      jobs = parseSqueueText(r.stdout, this.name);
    }
    // Old squeue ignores filters with --json, so filter here in any case.
    if (options.user) jobs = jobs.filter((j) => j.user === options.user);
    if (options.states?.length) {
      const want = new Set(options.states.map((s) => baseState(s)));
      jobs = jobs.filter((j) => want.has(baseState(j.state)));
    }
    return jobs;
  }

  /** Nothing to release: every call is its own process. */
  close(): void {}

  /** `squeue --json …` parsed, or undefined when this squeue cannot do JSON (or it failed). */
  async #squeueJsonJobs(extra: string[]): Promise<JobInfo[] | undefined> {
    if (!this.#squeueJson) return undefined;
    const args = ["--json", "--states=all", ...extra];
    const r = await this.#run("squeue", args);
    if (r.code !== 0) {
      if (isNoJson(r)) this.#squeueJson = false;
      return undefined;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(r.stdout);
    } catch {
      this.#squeueJson = false;
      return undefined;
    }
    if (slurmErrors(doc).length && !Array.isArray((doc as { jobs?: unknown }).jobs)) {
      return undefined;
    }
    return jobsFromSlurmJson(doc, this.name);
  }

  async #fromAccounting(query: string): Promise<JobInfo[]> {
    if (!(await this.#hasAccounting())) return [];
    const args = ["-j", query, "-X", "-P", "-n", "-o", SACCT_FIELDS.join(",")];
    let r: CommandResult;
    try {
      r = await this.#run("sacct", args);
    } catch {
      return []; // no sacct here: the job is simply unknown
    }
    if (r.code !== 0) return [];
    return selectJobs(parseSacct(r.stdout, this.name), query);
  }

  #hasAccounting(): Promise<boolean> {
    this.#accounting ??= this.#run("scontrol", ["show", "config"]).then(
      (r) => {
        const type = r.code === 0 ? configValue(r.stdout, "AccountingStorageType") : undefined;
        return type !== undefined && type !== "accounting_storage/none";
      },
      () => false,
    );
    return this.#accounting;
  }
}

/** squeue's complaints when it was built without JSON support. */
function isNoJson(r: CommandResult): boolean {
  return /unrecognized option|invalid option|json|serializ|data_parser|plugin/i.test(r.stderr);
}

/** A valid job id ("123" or "123_4"), trimmed, or a UsageError. */
export function checkJobId(id: string): string {
  if (!parseJobId(id)) {
    throw new UsageError(`invalid job id ${JSON.stringify(id)}`, {
      hint: "use a job id such as 123, or 123_4 for one task of an array job",
    });
  }
  return id.trim();
}
