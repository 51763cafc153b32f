/**
 * The cluster seen through the Slurm commands: `scontrol show job -o` for one job, `squeue
 * --json` for many (with a `squeue -o` fallback for builds without JSON), and `sacct` for jobs
 * slurmctld has forgotten when accounting is on. A failure is never taken for an answer: a
 * failing `sacct` is "accounting unavailable", not "no such job", and an odd reply from `squeue
 * --json` turns it off for a while, not for the whole run.
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
import { accountingReason, AccountingUnavailableError } from "./accounting_unavailable_error.ts";
import {
  commandFailed,
  type CommandResult,
  type CommandRunner,
  firstLine,
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
  /** The clock (epoch ms), for tests of the retry delays. */
  now?: () => number;
}

/** How long `squeue --json` stays off after a reply s9s could not read; then it is tried again. */
export const SQUEUE_JSON_RETRY_MS = 60_000;

/** Whether accounting is configured, or why that could not be found out. */
type AccountingCheck = { on: boolean } | { failed: string; cause?: unknown };

/** scontrol on an unknown id, or a task outside an existing array ("Job 12_9 not found"). */
const INVALID_JOB = /invalid job id|job \S+ not found/i;

/** The Slurm-commands backend. */
export class SlurmCliBackend implements ClusterBackend {
  readonly name = "cli";
  #run: CommandRunner;
  #now: () => number;
  /** Whether accounting is configured, once known for sure (forced by the options, or read). */
  #accounting: boolean | undefined;
  /** The configuration read in progress, shared by concurrent lookups. */
  #accountingCheck: Promise<AccountingCheck> | undefined;
  /** Until when (epoch ms) `squeue --json` is not tried: Infinity once squeue said it cannot. */
  #squeueJsonOffUntil = 0;

  constructor(options: SlurmCliOptions = {}) {
    this.#run = options.run ??
      ((cmd, args) => runSlurmCommand(cmd, args, { timeout: options.timeout }));
    this.#now = options.now ?? Date.now;
    const acct = options.accounting ?? "auto";
    if (acct !== "auto") this.#accounting = acct;
  }

  /**
   * One job via `scontrol show job -o ID`; for an array id, all its tasks. [] when unknown;
   * throws {@link AccountingUnavailableError} when slurmctld forgot it and `sacct` failed.
   */
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
   * show are looked up in accounting when it is on. Keys are the ids asked for. Throws as
   * {@link getJob} does.
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

  /**
   * `squeue --json …` parsed, or undefined to fall back to `squeue -o`: when this squeue cannot do
   * JSON (for the rest of the run), its reply could not be read (for {@link SQUEUE_JSON_RETRY_MS}),
   * or it failed otherwise (this time only; the fallback then reports the failure).
   */
  async #squeueJsonJobs(extra: string[]): Promise<JobInfo[] | undefined> {
    if (this.#now() < this.#squeueJsonOffUntil) return undefined;
    const args = ["--json", "--states=all", ...extra];
    const r = await this.#run("squeue", args);
    if (r.code !== 0) {
      if (isNoJson(r)) this.#squeueJsonOffUntil = Infinity;
      return undefined;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(r.stdout);
    } catch {
      this.#squeueJsonOffUntil = this.#now() + SQUEUE_JSON_RETRY_MS;
      return undefined;
    }
    if (slurmErrors(doc).length && !Array.isArray((doc as { jobs?: unknown }).jobs)) {
      return undefined;
    }
    return jobsFromSlurmJson(doc, this.name);
  }

  /** The job in `sacct`, [] when accounting is off or does not know it. */
  async #fromAccounting(query: string): Promise<JobInfo[]> {
    if (!(await this.#hasAccounting(query))) return [];
    const args = ["-j", query, "-X", "-P", "-n", "-o", SACCT_FIELDS.join(",")];
    let r: CommandResult;
    try {
      r = await this.#run("sacct", args);
    } catch (err) {
      throw new AccountingUnavailableError(query, (err as Error).message, { cause: err });
    }
    if (r.code !== 0) {
      throw new AccountingUnavailableError(query, accountingReason(r.stderr, r.stdout, r.code));
    }
    return selectJobs(parseSacct(r.stdout, this.name), query);
  }

  /**
   * Whether accounting is configured (`scontrol show config`). Only a definite answer is kept;
   * when the configuration cannot be read, the lookup of `query` fails and the next one asks again.
   */
  async #hasAccounting(query: string): Promise<boolean> {
    if (this.#accounting !== undefined) return this.#accounting;
    this.#accountingCheck ??= this.#checkAccounting().finally(() => {
      this.#accountingCheck = undefined;
    });
    const check = await this.#accountingCheck;
    if ("on" in check) return this.#accounting = check.on;
    throw new AccountingUnavailableError(query, check.failed, { cause: check.cause });
  }

  async #checkAccounting(): Promise<AccountingCheck> {
    const why = "cannot read the Slurm configuration to see whether accounting is on";
    let r: CommandResult;
    try {
      r = await this.#run("scontrol", ["show", "config"]);
    } catch (err) {
      return { failed: `${why}: ${(err as Error).message}`, cause: err };
    }
    if (r.code !== 0) {
      const line = firstLine(r.stderr) || firstLine(r.stdout) || `exit code ${r.code}`;
      return { failed: `${why}: ${line}` };
    }
    const type = configValue(r.stdout, "AccountingStorageType");
    return { on: type !== undefined && type !== "accounting_storage/none" };
  }
}

/**
 * squeue's answers when it cannot do JSON at all: an old squeue without `--json`, or a build
 * without the JSON serializer / data_parser plugin. Nothing else turns JSON off for good.
 */
function isNoJson(r: CommandResult): boolean {
  const text = r.stderr + "\n" + r.stdout;
  if (/(unrecognized|invalid|unknown) option.*json/i.test(text)) return true;
  return /plugin/i.test(text) && /serializ|data_parser|json/i.test(text) &&
    /unable to|cannot|not found|no such|unavailable|not (compiled|built|supported)/i.test(text);
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
