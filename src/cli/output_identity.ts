/**
 * Outputs that would destroy an input: `--save F` onto the followed file truncates it, stdout
 * appended to it (`>> job.out`) feeds s9s its own lines, and a followed file inside the history
 * directory may be removed by history cleanup. Compared by identity (device and inode, after
 * symlinks), as `cat` refuses "input file is output file".
 * @module
 */
import { UsageError } from "../errors.ts";
import type { Config } from "../config/schema.ts";
import { historyDir } from "../persist/history_dir.ts";
import type { StreamTarget } from "../core/stream_target.ts";

/** A file's identity, or undefined when it cannot be stat'ed (not there yet: nothing to lose). */
function identity(path: string): string | undefined {
  try {
    const st = Deno.statSync(path);
    if (st.dev === null || st.ino === null) return undefined;
    return `${st.dev}:${st.ino}`;
  } catch {
    return undefined;
  }
}

/** The directory holding `path` (after symlinks), or undefined. */
function parentIdentity(path: string): string | undefined {
  try {
    const real = Deno.realPathSync(path);
    return identity(real.slice(0, real.lastIndexOf("/")) || "/");
  } catch {
    return undefined;
  }
}

/** What {@link refuseOutputsOnInputs} compares. */
export interface OutputsAndInputs {
  /** The local files s9s reads (`--path`, `--stderr-path`). */
  inputs: string[];
  /** `--save FILE`, if given. */
  save?: string;
  /** The history directory, when streams are recorded there. */
  historyDir?: string;
  /** Where stdout goes (`/proc/self/fd/1`), when checked. */
  stdout?: string;
}

/** Throw a UsageError (exit 2) when an output is an input; nothing is opened or written. */
export function refuseOutputsOnInputs(o: OutputsAndInputs): void {
  const save = o.save !== undefined ? identity(o.save) : undefined;
  const out = o.stdout !== undefined ? identity(o.stdout) : undefined;
  const history = o.historyDir !== undefined ? identity(o.historyDir) : undefined;
  for (const input of o.inputs) {
    const id = identity(input);
    if (id === undefined) continue;
    if (id === save) {
      throw new UsageError(`--save "${o.save}" is the input file "${input}"`, {
        hint: "save to another file: --save would overwrite the file being followed",
      });
    }
    if (id === out && isRegularFile(input)) {
      throw new UsageError(`standard output is the input file "${input}"`, {
        hint: "redirect the output to another file: s9s would read its own lines back",
      });
    }
    if (history !== undefined && (id === history || parentIdentity(input) === history)) {
      throw new UsageError(`"${input}" is in the history directory "${o.historyDir}"`, {
        hint:
          "follow a file outside streaming.persistence.directory, or set that directory elsewhere",
      });
    }
  }
}

function isRegularFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** The files of `targets` this host reads by a path known now (no Slurm pattern, no node). */
function localInputs(targets: StreamTarget[]): string[] {
  const out: string[] = [];
  for (const t of targets) {
    if (t.kind === "file" && !t.node) out.push(t.path, ...(t.stderrPath ? [t.stderrPath] : []));
    if (t.kind === "job" && t.via !== "ssh") {
      for (const p of [t.path, t.stderrPath]) if (p && !p.includes("%")) out.push(p);
    }
  }
  return out;
}

/** {@link refuseOutputsOnInputs} for `s9s stream`'s local targets, --save, history and stdout. */
export function refuseStreamOutputsOnInputs(
  targets: StreamTarget[],
  save: string | undefined,
  config: Config,
): void {
  const p = config.streaming.persistence;
  refuseOutputsOnInputs({
    inputs: localInputs(targets),
    save,
    historyDir: p.enabled && p.auto_save ? historyDir(config.streaming) : undefined,
    stdout: Deno.build.os === "linux" ? "/proc/self/fd/1" : undefined,
  });
}
