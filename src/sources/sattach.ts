/**
 * The "api" source: Slurm's own step I/O. `sattach --label JOB.STEP` attaches to a running step
 * started with srun and forwards its tasks' output from slurmstepd over Slurm's channels (no
 * shared filesystem, no SSH). Lines keep sattach's `N: ` task label; stdout and stderr come from
 * sattach's own stdout and stderr, so the two stay apart. The source ends when the step ends.
 * @module
 */
import { LineSplitter } from "../core/line_splitter.ts";
import type { StreamType } from "../core/stream_event.ts";
import { checkStepId } from "../core/step_id.ts";
import { UserFacingError } from "../errors.ts";
import type { Source, SourceSink } from "./source.ts";

/** Options for {@link SattachSource}. */
export interface SattachOptions {
  signal?: AbortSignal;
  maxLineBytes?: number;
  /** Bytes per read of sattach's output (`streaming.slurm_api.chunk_size`; default 64 KB). */
  chunkSize?: number;
  /** The sattach binary (tests). */
  command?: string;
  debug?: (m: string) => void;
}

async function output(cmd: string, args: string[]): Promise<{ code: number; text: string }> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped", stdin: "null" })
    .output();
  const dec = new TextDecoder();
  return { code: out.code, text: dec.decode(out.stdout) + dec.decode(out.stderr) };
}

/** The owner of a step in `scontrol -o show step`: `UserId=name(uid)`, `UserId=uid` or a name. */
export function stepOwner(text: string): { name?: string; uid?: number } | undefined {
  const v = /\bUserId=(\S+)/.exec(text)?.[1];
  if (!v) return undefined;
  const m = /^([^(]*)\((\d+)\)$/.exec(v);
  if (m) return { name: m[1] || undefined, uid: Number(m[2]) };
  return /^\d+$/.test(v) ? { uid: Number(v) } : { name: v };
}

async function userName(uid: number): Promise<string | undefined> {
  try {
    const r = await output("id", ["-nu", String(uid)]);
    return r.code === 0 ? r.text.trim() || undefined : undefined;
  } catch {
    return undefined;
  }
}

/** Follow one output (stdout or stderr) of a running job step through sattach. */
export class SattachSource implements Source {
  readonly kind = "api" as const;
  #splitter: LineSplitter;
  #opts: SattachOptions;

  constructor(readonly step: string, readonly type: StreamType, opts: SattachOptions = {}) {
    checkStepId(step);
    this.#opts = opts;
    this.#splitter = new LineSplitter({ maxLineBytes: opts.maxLineBytes ?? 1024 * 1024 });
  }

  get offset(): number {
    return this.#splitter.committedOffset;
  }

  /** The step ends by itself, and sattach with it. */
  finish(): void {}

  async #checkAccess(): Promise<void> {
    const r = await output("scontrol", ["-o", "show", "step", this.step]);
    if (r.code !== 0 || !/StepId=/.test(r.text)) {
      throw new UserFacingError(`job step ${this.step} is not running`, {
        hint: `list running steps with \`squeue -s -j ${this.step.split(".")[0]}\``,
      });
    }
    // sattach itself does not say so: for another user's step it reports "no tasks running".
    const owner = stepOwner(r.text);
    const uid = Deno.uid();
    if (uid === null || uid === 0 || !owner) return;
    const me = Deno.env.get("USER") ?? Deno.env.get("LOGNAME");
    if (owner.uid !== undefined ? owner.uid === uid : owner.name === me) return;
    const whose = owner.name ?? await userName(owner.uid!) ?? `uid ${owner.uid}`;
    throw new UserFacingError(
      `Slurm does not let "${
        me ?? `uid ${uid}`
      }" attach to step ${this.step}, which belongs to "${whose}"`,
      {
        hint:
          "only the step's owner (and root) may use sattach; read its files with --source file or ssh",
      },
    );
  }

  async run(sink: SourceSink): Promise<void> {
    const { signal } = this.#opts;
    await this.#checkAccess();
    const cmd = this.#opts.command ?? "sattach";
    this.#opts.debug?.(`${cmd} --label ${this.step} (${this.type})`);
    const child = new Deno.Command(cmd, {
      args: ["--label", this.step],
      stdin: "null",
      stdout: this.type === "stdout" ? "piped" : "null",
      stderr: "piped",
    }).spawn();
    const kill = () => {
      try {
        child.kill("SIGTERM");
      } catch { /* gone */ }
    };
    signal?.addEventListener("abort", kill);
    sink.status({ state: "live", message: `attached to step ${this.step} with sattach` });
    const messages: string[] = [];
    const enc = new TextEncoder();
    const readStderr = async () => {
      let rest = "";
      const handle = async (line: string) => {
        if (line.startsWith("sattach: ")) messages.push(line.slice(9));
        else if (this.type === "stderr") await this.#push(sink, enc.encode(line + "\n"));
      };
      for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
        rest += chunk;
        let nl;
        while ((nl = rest.indexOf("\n")) !== -1) {
          await handle(rest.slice(0, nl));
          rest = rest.slice(nl + 1);
        }
      }
      if (rest) await handle(rest);
    };
    const readStdout = async () => {
      if (this.type !== "stdout") return;
      // Reads of at most chunkSize bytes into one reused buffer (the splitter copies).
      const reader = child.stdout.getReader({ mode: "byob" });
      let buf = new Uint8Array(this.#opts.chunkSize ?? 64 * 1024);
      try {
        for (;;) {
          const { value, done } = await reader.read(buf);
          if (done || !value) break;
          await this.#push(sink, value);
          buf = new Uint8Array(value.buffer);
        }
      } finally {
        reader.releaseLock();
      }
    };
    try {
      await Promise.all([readStdout(), readStderr()]);
      const status = await child.status;
      if (signal?.aborted) return;
      const batch = this.#splitter.flush();
      if (batch) await sink.batch(batch);
      const problem = messages.find((m) => /error|no tasks running/i.test(m));
      if (status.code !== 0 || (problem && this.#splitter.nextLine === 1)) {
        const text = (problem ?? messages.at(-1) ?? `sattach exited with ${status.code}`)
          .replace(/^error: /, "");
        throw new UserFacingError(`sattach could not follow step ${this.step}: ${text}`, {
          hint: /completing or completed|no tasks running/.test(text)
            ? `the step has ended (sattach sees only running steps); the job's files may still hold its output: s9s stream --job ${
              this.step.split(".")[0]
            }`
            : "check the step with `scontrol show step " + this.step + "`",
        });
      }
    } finally {
      signal?.removeEventListener("abort", kill);
      kill();
    }
  }

  async #push(sink: SourceSink, bytes: Uint8Array): Promise<void> {
    const batch = this.#splitter.push(bytes);
    if (batch) await sink.batch(batch);
  }
}
