/**
 * The checks of `s9s doctor` that need no job: Slurm's commands and version, slurmrestd,
 * MinJobAge, inotify and open-file limits, the history directory, the terminal. Each gives a
 * {@link Check}; none may hang ({@link withDeadline}, and every command is killed at its deadline).
 * @module
 */
import type { Config } from "../config/schema.ts";
import { UserFacingError } from "../errors.ts";
import { which } from "../platform/which.ts";
import { fdLimit } from "../platform/rlimit.ts";
import { historyDir } from "../persist/history_dir.ts";
import { dirname } from "../platform/posix_path.ts";

/** ✔ ok, ✘ failed, – not applicable or not known. */
export type Mark = "ok" | "fail" | "skip";

/** One row of the doctor's table. */
export interface Check {
  name: string;
  mark: Mark;
  detail: string;
  /** What to do about it (on every failed row; on others where it helps). */
  hint?: string;
}

/** Where the kernel's limits are read (the real /proc/sys; tests point it at a copy). */
export interface DoctorEnv {
  procSys: string;
}

/** Seconds a single check may take. */
export const CHECK_DEADLINE_MS = 10_000;

/** The check `run` makes, or a failed row when it takes longer than `ms` or throws. */
export async function withDeadline(
  name: string,
  ms: number,
  run: (signal: AbortSignal) => Promise<Check | Check[]>,
): Promise<Check[]> {
  const ctl = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<Check>((resolve) => {
    timer = setTimeout(() => {
      ctl.abort();
      resolve({
        name,
        mark: "fail",
        detail: `no answer within ${ms / 1000}s`,
        hint: "whatever it waits for hangs: run the check by hand to see where",
      });
    }, ms);
  });
  try {
    const r = await Promise.race([
      run(ctl.signal).catch((err): Check => ({
        name,
        mark: "fail",
        detail: (err as Error).message,
        hint: err instanceof UserFacingError ? err.hint : undefined,
      })),
      late,
    ]);
    return Array.isArray(r) ? r : [r];
  } finally {
    clearTimeout(timer);
  }
}

/** Run a command to its end (killed when `signal` aborts): exit code and output. */
export async function command(
  cmd: string,
  args: string[],
  signal: AbortSignal,
): Promise<{ code: number; out: string; err: string }> {
  const r = await new Deno.Command(cmd, {
    args,
    signal,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout), err: dec.decode(r.stderr) };
}

/** Slurm's commands on PATH, and their version (not needed when slurmrestd is configured). */
export async function slurmCommands(signal: AbortSignal, config: Config): Promise<Check> {
  const names = ["squeue", "sacct", "scontrol", "sattach"];
  const found = await Promise.all(names.map((n) => which(n)));
  const missing = names.filter((_, i) => !found[i]);
  if (!found[0] || !found[2]) {
    const api = config.streaming.slurm_api;
    return {
      name: "Slurm commands",
      mark: api.enabled ? "skip" : "fail",
      detail: `not found on PATH: ${missing.join(", ")}`,
      hint: "install Slurm's client commands, or set streaming.slurm_api.url/socket for slurmrestd",
    };
  }
  const v = await command("squeue", ["--version"], signal);
  return {
    name: "Slurm commands",
    mark: "ok",
    detail: `${v.out.trim() || "version unknown"}${
      missing.length ? `; missing: ${missing.join(", ")}` : ""
    }`,
    hint: missing.includes("sacct")
      ? "without sacct, finished jobs are only seen for MinJobAge"
      : undefined,
  };
}

/** slurmrestd reachable and authenticated, when streaming.slurm_api is configured. */
export async function slurmRest(config: Config): Promise<Check> {
  const api = config.streaming.slurm_api;
  const name = "slurmrestd";
  if (!api.enabled && !api.url && !api.socket) {
    return { name, mark: "skip", detail: "not configured (streaming.slurm_api)" };
  }
  const { SlurmRestBackend } = await import("../cluster/slurm_rest.ts");
  const rest = SlurmRestBackend.fromConfig(config);
  const where = api.socket ? `unix:${api.socket}` : api.url;
  try {
    const version = await rest.version();
    await rest.listJobs({});
    return { name, mark: "ok", detail: `${where}: reachable, authenticated (${version})` };
  } catch (err) {
    return {
      name,
      mark: "fail",
      detail: (err as Error).message,
      hint: err instanceof UserFacingError && err.hint
        ? err.hint
        : "check streaming.slurm_api.url/socket and that slurmrestd runs",
    };
  } finally {
    rest.close();
  }
}

/** How long finished jobs stay visible to squeue/scontrol (MinJobAge). */
export async function minJobAge(signal: AbortSignal): Promise<Check> {
  const name = "MinJobAge";
  if (!(await which("scontrol"))) {
    return { name, mark: "skip", detail: "scontrol not found" };
  }
  const r = await command("scontrol", ["show", "config"], signal);
  const m = /^MinJobAge\s*=\s*(.+)$/m.exec(r.out);
  if (r.code !== 0 || !m) {
    return {
      name,
      mark: "skip",
      detail: `unknown: ${r.err.trim() || "scontrol show config gave no MinJobAge"}`,
    };
  }
  const secs = parseInt(m[1]);
  return {
    name,
    mark: "ok",
    detail: `finished jobs stay visible for ${m[1].trim()}`,
    hint: secs < 60
      ? "short: once it passes, a finished job is found through sacct only (accounting)"
      : undefined,
  };
}

/** inotify limits against streaming.max_concurrent_streams (one watch per followed file). */
export async function inotifyLimits(config: Config, env: DoctorEnv): Promise<Check> {
  const name = "inotify limits";
  const streams = config.streaming.max_concurrent_streams;
  const read = async (f: string) =>
    parseInt(await Deno.readTextFile(`${env.procSys}/fs/inotify/${f}`));
  let watches: number, instances: number;
  try {
    [watches, instances] = await Promise.all([
      read("max_user_watches"),
      read("max_user_instances"),
    ]);
  } catch (err) {
    return { name, mark: "skip", detail: `cannot read them: ${(err as Error).message}` };
  }
  const detail =
    `max_user_watches ${watches}, max_user_instances ${instances}; streaming.max_concurrent_streams ${streams}`;
  // Each followed file takes a watch; s9s takes an inotify instance or two, as do other programs.
  if (watches < streams || instances < 4) {
    return {
      name,
      mark: "fail",
      detail,
      hint: `raise them (sysctl fs.inotify.max_user_watches=${Math.max(8192, streams * 4)} ` +
        `fs.inotify.max_user_instances=128) or lower streaming.max_concurrent_streams; ` +
        "files past the limit are polled",
    };
  }
  return { name, mark: "ok", detail };
}

/** The open-file limit against streaming.max_concurrent_streams. */
export function openFiles(config: Config): Check {
  const name = "open files";
  const lim = fdLimit();
  const streams = config.streaming.max_concurrent_streams;
  if (!lim) return { name, mark: "skip", detail: "the limit cannot be read here" };
  const detail = `soft ${lim.soft}, hard ${lim.hard}; streaming.max_concurrent_streams ${streams}`;
  // A file, a watch and some headroom for sockets and history per stream.
  if (Math.max(lim.soft, lim.hard) < streams * 2 + 64) {
    return {
      name,
      mark: "fail",
      detail,
      hint: "raise it (ulimit -n, or nofile in /etc/security/limits.conf)",
    };
  }
  return { name, mark: "ok", detail };
}

/** The history directory: there (or creatable), private, writable, with room. */
export async function historyDirectory(config: Config, signal: AbortSignal): Promise<Check> {
  const name = "history directory";
  if (!config.streaming.persistence.enabled) {
    return { name, mark: "skip", detail: "history is off (streaming.persistence.enabled)" };
  }
  const dir = historyDir(config.streaming);
  let at = dir;
  let mode: number | null = null;
  try {
    mode = (await Deno.stat(dir)).mode;
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) {
      return { name, mark: "fail", detail: `${dir}: ${(err as Error).message}` };
    }
    // Not made yet: s9s makes it on first use, so what counts is the nearest existing parent.
    while (at !== "/" && at !== ".") {
      at = dirname(at);
      if (await Deno.stat(at).then(() => true, () => false)) break;
    }
  }
  try {
    const probe = await Deno.makeTempFile({ dir: at, prefix: ".s9s-doctor-" });
    await Deno.remove(probe);
  } catch (err) {
    return {
      name,
      mark: "fail",
      detail: `${at} is not writable: ${(err as Error).message}`,
      hint: "fix its permissions or set streaming.persistence.directory",
    };
  }
  const df = await command("df", ["-Pk", at], signal).catch(() => undefined);
  const freeKb = Number(df?.out.trim().split("\n").at(-1)?.split(/\s+/)[3]);
  const free = Number.isFinite(freeKb) ? `${(freeKb / 1024 / 1024).toFixed(1)} GB free` : "";
  const perms = mode === null ? "not made yet" : `mode ${(mode & 0o777).toString(8)}`;
  const detail = `${dir}: ${[perms, free].filter(Boolean).join(", ")}`;
  if (Number.isFinite(freeKb) && freeKb < 100 * 1024) {
    return { name, mark: "fail", detail, hint: "less than 100 MB free: free space or move it" };
  }
  if (mode !== null && (mode & 0o077) !== 0) {
    return {
      name,
      mark: "fail",
      detail,
      hint: `others can read saved job output: chmod 700 ${dir}`,
    };
  }
  return { name, mark: "ok", detail };
}

/** TERM, colours and UTF-8, for the TUI. */
export function terminal(isTty: boolean): Check {
  const name = "terminal";
  const term = Deno.env.get("TERM") ?? "";
  const locale = Deno.env.get("LC_ALL") || Deno.env.get("LC_CTYPE") || Deno.env.get("LANG") || "";
  const utf8 = /utf-?8/i.test(locale);
  const noColor = (Deno.env.get("NO_COLOR") ?? "") !== "";
  const colors = noColor
    ? "colours off (NO_COLOR)"
    : /256|direct|truecolor/.test(`${term} ${Deno.env.get("COLORTERM") ?? ""}`)
    ? "256+ colours"
    : "basic colours";
  const detail = `TERM=${term || "(unset)"}, ${colors}, ${utf8 ? "UTF-8" : `locale "${locale}"`}${
    isTty ? "" : "; stdout is not a terminal"
  }`;
  if (!isTty) return { name, mark: "skip", detail };
  if (!term || term === "dumb") {
    return { name, mark: "fail", detail, hint: "the TUI needs a real TERM, e.g. xterm-256color" };
  }
  if (!utf8) {
    return {
      name,
      mark: "fail",
      detail,
      hint: "the TUI draws with UTF-8: export LANG=C.UTF-8 (or another UTF-8 locale)",
    };
  }
  return { name, mark: "ok", detail };
}
