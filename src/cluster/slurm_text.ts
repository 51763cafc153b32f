/**
 * Parsers for the text the Slurm commands print: `scontrol show job` (one-line `-o` or the
 * indented multi-line form), `sacct -P` and `squeue -o` with a field separator.
 * @module
 */
import { baseState, type JobInfo, type StepInfo } from "./job.ts";
import { buildJobInfo } from "./job_info.ts";

/**
 * Keys whose values may hold spaces (names, paths, free text). Such a value runs up to the next
 * key from {@link KNOWN_KEYS}; any other value ends at the next ` Word=`.
 */
const FREE_TEXT = new Set([
  "JobName",
  "Reason",
  "Command",
  "WorkDir",
  "StdErr",
  "StdIn",
  "StdOut",
  "Comment",
  "AdminComment",
  "SystemComment",
  "Reservation",
  "MailUser",
  "Container",
  "ContainerID",
  "Extra",
]);

/** Keys `scontrol show job` prints (22.05 to 24.11). */
const KNOWN_KEYS = new Set([
  ...FREE_TEXT,
  "JobId",
  "ArrayJobId",
  "ArrayTaskId",
  "ArrayTaskThrottle",
  "HetJobId",
  "HetJobOffset",
  "HetJobIdSet",
  "UserId",
  "GroupId",
  "MCS_label",
  "Priority",
  "Nice",
  "Account",
  "QOS",
  "JobState",
  "Dependency",
  "Requeue",
  "Restarts",
  "BatchFlag",
  "Reboot",
  "ExitCode",
  "DerivedExitCode",
  "RunTime",
  "TimeLimit",
  "TimeMin",
  "SubmitTime",
  "EligibleTime",
  "AccrueTime",
  "StartTime",
  "EndTime",
  "Deadline",
  "PreemptEligibleTime",
  "PreemptTime",
  "SuspendTime",
  "SecsPreSuspend",
  "LastSchedEval",
  "Scheduler",
  "Partition",
  "AllocNode:Sid",
  "ReqNodeList",
  "ExcNodeList",
  "NodeList",
  "SchedNodeList",
  "BatchHost",
  "NumNodes",
  "NumCPUs",
  "NumTasks",
  "CPUs/Task",
  "ReqB:S:C:T",
  "ReqTRES",
  "AllocTRES",
  "TRES",
  "Socks/Node",
  "NtasksPerN:B:S:C",
  "CoreSpec",
  "MinCPUsNode",
  "MinMemoryNode",
  "MinMemoryCPU",
  "MinTmpDiskNode",
  "Features",
  "Prefer",
  "DelayBoot",
  "OverSubscribe",
  "Contiguous",
  "Licenses",
  "LicensesAlloc",
  "Network",
  "Power",
  "TresPerNode",
  "TresPerJob",
  "TresPerTask",
  "MailType",
  "NtasksPerTRES",
  "CpusPerTres",
  "MemPerTres",
  "TresBind",
  "TresFreq",
  "KillOInInvalidDependent",
  "Wckey",
  "ResvPort",
  "ThreadSpec",
  "Nodes",
  "CPU_IDs",
  "Mem",
  "GRES",
]);

/** One record of `scontrol show job`: key → raw value. */
export type ScontrolRecord = Map<string, string>;

/** Split one line of `Key=value Key=value …` into pairs, keeping spaces inside values. */
export function parseKeyValues(line: string, into: ScontrolRecord = new Map()): ScontrolRecord {
  const re = /(?:^|\s)([A-Za-z][A-Za-z0-9_:/]*)=/g;
  let key: string | undefined;
  let valueStart = 0;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    const name = m[1];
    const boundary = KNOWN_KEYS.has(name) || (key !== undefined && !FREE_TEXT.has(key));
    if (key !== undefined && !boundary) continue;
    if (key !== undefined) into.set(key, line.slice(valueStart, m.index));
    key = name;
    valueStart = m.index + m[0].length;
  }
  if (key !== undefined) into.set(key, line.slice(valueStart).replace(/[\r\n]+$/, "").trimEnd());
  return into;
}

/**
 * Records of `scontrol show job [-o]`: a record starts at a line beginning with `JobId=`;
 * indented lines (the multi-line form) continue it.
 */
export function parseScontrolRecords(text: string): ScontrolRecord[] {
  const records: ScontrolRecord[] = [];
  let current: ScontrolRecord | undefined;
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    if (/^JobId=/.test(line)) {
      current = new Map();
      records.push(current);
    }
    if (current) parseKeyValues(line.trim(), current);
  }
  return records;
}

/** `scontrol`'s "none" spellings. */
function value(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const t = v.trim();
  if (!t || t === "(null)" || t === "None" || t === "N/A" || t === "n/a" || t === "Unknown") {
    return undefined;
  }
  return v;
}

/** A Slurm timestamp ("2026-11-29T15:14:54", local time) → epoch ms. */
export function slurmTime(v: string | undefined): number | undefined {
  const t = value(v)?.trim();
  if (!t || !/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?$/.test(t)) return undefined;
  const ms = new Date(t).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

/** "3:0" → exit code 3, no signal; "0:15" → signal 15. */
export function parseExitCode(v: string | undefined): { exitCode?: number; exitSignal?: number } {
  const m = /^(\d+):(\d+)$/.exec(v?.trim() ?? "");
  if (!m) return {};
  const sig = Number(m[2]);
  return { exitCode: Number(m[1]), exitSignal: sig > 0 ? sig : undefined };
}

/** "root(0)" → "root"; "(null)(1234)" → "1234". */
function userName(v: string | undefined): string {
  const m = /^(.*)\((\d+)\)$/.exec(v?.trim() ?? "");
  if (!m) return v?.trim() ?? "";
  return value(m[1]) ?? m[2];
}

function int(v: string | undefined): number | undefined {
  const t = v?.trim();
  return t && /^\d+$/.test(t) ? Number(t) : undefined;
}

/** Map a `scontrol show job` record to a {@link JobInfo}. */
export function jobFromScontrol(rec: ScontrolRecord, backend = "cli"): JobInfo {
  const arrayJobId = int(rec.get("ArrayJobId"));
  const taskField = value(rec.get("ArrayTaskId"));
  return buildJobInfo({
    jobId: int(rec.get("JobId")) ?? 0,
    arrayJobId,
    arrayTaskId: int(taskField),
    arrayTaskString: taskField,
    name: rec.get("JobName") ?? "",
    user: userName(rec.get("UserId")),
    state: baseState(rec.get("JobState") ?? "UNKNOWN"),
    reason: value(rec.get("Reason")),
    ...parseExitCode(rec.get("ExitCode")),
    workDir: value(rec.get("WorkDir")),
    stdout: value(rec.get("StdOut")),
    stderr: value(rec.get("StdErr")),
    batchHost: value(rec.get("BatchHost")),
    nodeList: value(rec.get("NodeList")),
    numTasks: int(rec.get("NumTasks")),
    partition: value(rec.get("Partition")),
    submitTime: slurmTime(rec.get("SubmitTime")),
    startTime: slurmTime(rec.get("StartTime")),
    endTime: slurmTime(rec.get("EndTime")),
    restarts: int(rec.get("Restarts")),
  }, backend);
}

/** All jobs in `scontrol show job` output. */
export function parseScontrolJobs(text: string, backend = "cli"): JobInfo[] {
  return parseScontrolRecords(text).map((r) => jobFromScontrol(r, backend));
}

/** The `scontrol show config` value of a key ("AccountingStorageType = accounting_storage/none"). */
export function configValue(text: string, key: string): string | undefined {
  for (const line of text.split("\n")) {
    const m = /^(\S+)\s*=\s*(.*)$/.exec(line.trim());
    if (m && m[1] === key) return m[2].trim();
  }
  return undefined;
}

/** The `sacct -o` fields s9s asks for; JobName last, so a `|` inside a name stays in it. */
export const SACCT_FIELDS = [
  "JobID",
  "JobIDRaw",
  "User",
  "State",
  "ExitCode",
  "Partition",
  "NodeList",
  "Submit",
  "Start",
  "End",
  "WorkDir",
  "JobName",
] as const;

/** Jobs in `sacct -X -P -n -o <SACCT_FIELDS>` output. */
export function parseSacct(text: string, backend = "cli"): JobInfo[] {
  const jobs: JobInfo[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const parts = line.split("|");
    if (parts.length < SACCT_FIELDS.length) continue;
    const f = Object.fromEntries(
      SACCT_FIELDS.map((k, i) =>
        [k, i === SACCT_FIELDS.length - 1 ? parts.slice(i).join("|") : parts[i]] as const
      ),
    ) as Record<(typeof SACCT_FIELDS)[number], string>;
    const idm = /^(\d+)(?:_(\d+|\[(.+)\]))?$/.exec(f.JobID.trim());
    if (!idm) continue; // steps, het components: not asked for (-X), skip anything odd
    const isArray = idm[2] !== undefined;
    const nodes = value(f.NodeList);
    jobs.push(buildJobInfo({
      jobId: int(f.JobIDRaw) ?? Number(idm[1]),
      arrayJobId: isArray ? Number(idm[1]) : undefined,
      arrayTaskId: isArray && idm[3] === undefined ? Number(idm[2]) : undefined,
      arrayTaskString: idm[3],
      name: f.JobName,
      user: f.User,
      state: baseState(f.State || "UNKNOWN"),
      ...parseExitCode(f.ExitCode),
      workDir: value(f.WorkDir),
      nodeList: nodes === "None assigned" ? undefined : nodes,
      partition: value(f.Partition),
      submitTime: slurmTime(f.Submit),
      startTime: slurmTime(f.Start),
      endTime: slurmTime(f.End),
    }, backend));
  }
  return jobs;
}

/** Field separator for `squeue -o`: a control character no name or path holds in practice. */
export const SQUEUE_SEP = "\x1f";

/** `squeue -o` codes, in the order {@link parseSqueueText} reads them. */
export const SQUEUE_FORMAT = [
  "%A",
  "%F",
  "%K",
  "%u",
  "%T",
  "%r",
  "%B",
  "%N",
  "%P",
  "%V",
  "%S",
  "%e",
  "%Z",
  "%j",
]
  .join(SQUEUE_SEP);

/** Jobs in `squeue -h -o <SQUEUE_FORMAT>` output (no StdOut there: the resolver guesses). */
export function parseSqueueText(text: string, backend = "cli"): JobInfo[] {
  const jobs: JobInfo[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const p = line.split(SQUEUE_SEP);
    if (p.length < 14) continue;
    const [
      jobIdS,
      arrayJobS,
      taskS,
      user,
      stateS,
      reason,
      batchHost,
      nodes,
      partition,
      submit,
      start,
      end,
      workDir,
    ] = p;
    const name = p.slice(13).join(SQUEUE_SEP);
    const jobId = int(jobIdS);
    if (jobId === undefined) continue;
    const task = value(taskS);
    jobs.push(buildJobInfo({
      jobId,
      arrayJobId: task !== undefined ? int(arrayJobS) : undefined,
      arrayTaskId: int(task),
      arrayTaskString: task,
      name,
      user,
      state: baseState(stateS || "UNKNOWN"),
      reason: value(reason),
      batchHost: value(batchHost),
      nodeList: value(nodes),
      partition: value(partition),
      submitTime: slurmTime(submit),
      startTime: slurmTime(start),
      endTime: slurmTime(end),
      workDir: value(workDir),
    }, backend));
  }
  return jobs;
}

/** `squeue -s -o` format of {@link parseSqueueSteps}: step id, name, user, nodes, tasks. */
export const STEP_FORMAT = ["%i", "%j", "%u", "%N", "%A"].join(SQUEUE_SEP);

/** Steps from `squeue -h -s -o STEP_FORMAT` ("123.0", "123_4.batch", …). */
export function parseSqueueSteps(text: string): StepInfo[] {
  const out: StepInfo[] = [];
  for (const line of text.split("\n")) {
    const [id, name, user, nodes, tasks] = line.trim().split(SQUEUE_SEP);
    const m = /^(\d+(?:_\d+)?)\.(\w+)$/.exec(id ?? "");
    if (!m) continue;
    out.push({
      id,
      jobId: m[1],
      stepId: m[2],
      name: name ?? "",
      user: user ?? "",
      nodeList: nodes || undefined,
      numTasks: /^\d+$/.test(tasks ?? "") && Number(tasks) > 0 ? Number(tasks) : undefined,
    });
  }
  return out;
}
