/**
 * The job table shared by `s9s jobs` and the TUI's jobs view: one header, one row formatter,
 * one column-width rule, and the JSON record of a job.
 * @module
 */
import { formatDuration } from "../config/units.ts";
import type { JobInfo } from "./job.ts";

/** Column titles of the job table. */
export const JOB_TABLE_HEAD: readonly string[] = [
  "JOBID",
  "NAME",
  "USER",
  "STATE",
  "ELAPSED",
  "NODES",
];

/** Time the job has run (or ran). */
export function elapsedMs(j: JobInfo, now = Date.now()): number | undefined {
  if (!j.startTime) return undefined;
  return (j.endTime && j.endTime < now ? j.endTime : now) - j.startTime;
}

/** One job's cells, in {@link JOB_TABLE_HEAD} order. */
export function jobRowCells(j: JobInfo, now = Date.now()): string[] {
  const el = elapsedMs(j, now);
  return [
    j.id,
    j.name,
    j.user,
    j.state,
    el === undefined ? "-" : formatDuration(el),
    j.nodeList || (j.reason ? `(${j.reason})` : "-"),
  ];
}

/** Column widths that fit the header and every row. */
export function columnWidths(rows: readonly (readonly string[])[]): number[] {
  return JOB_TABLE_HEAD.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
}

/** Cells padded to the widths and joined by two spaces. */
export function joinCells(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((v, c) => v.padEnd(widths[c])).join("  ");
}

/** The jobs as an aligned plain-text table, one line each, ending with a newline. */
export function formatJobTable(jobs: JobInfo[], now = Date.now()): string {
  const rows = jobs.map((j) => jobRowCells(j, now));
  const widths = columnWidths(rows);
  return [JOB_TABLE_HEAD, ...rows].map((r) => joinCells(r, widths).trimEnd()).join("\n") + "\n";
}

/** A job as printed by `s9s jobs --output-format json`. */
export function jobJson(j: JobInfo, now = Date.now()): Record<string, unknown> {
  const el = elapsedMs(j, now);
  return {
    job_id: j.id,
    name: j.name,
    user: j.user,
    state: j.state,
    reason: j.reason ?? null,
    partition: j.partition ?? null,
    nodes: j.nodeList ?? null,
    exit_code: j.exitCode ?? null,
    work_dir: j.workDir ?? null,
    stdout: j.stdout ?? null,
    stderr: j.stderr ?? null,
    submit_time: j.submitTime ? new Date(j.submitTime).toISOString() : null,
    start_time: j.startTime ? new Date(j.startTime).toISOString() : null,
    end_time: j.endTime ? new Date(j.endTime).toISOString() : null,
    elapsed_seconds: el === undefined ? null : Math.floor(el / 1000),
  };
}
