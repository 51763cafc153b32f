/**
 * `s9s submit` through slurmrestd (the REST backend): the command line becomes a job submit
 * request (see rest_job.ts), sent once; slurmrestd's refusal is shown with its own words.
 * @module
 */
import { UsageError, UserFacingError } from "../errors.ts";
import { resolve } from "../platform/posix_path.ts";
import type { SbatchResult } from "../cluster/sbatch.ts";
import { jobSubmission } from "../cluster/rest_job.ts";
import { SlurmRestBackend } from "../cluster/slurm_rest.ts";
import { openBackend } from "../cluster/backend.ts";
import { slurmErrors } from "../cluster/slurm_json.ts";
import type { SubmitArgs } from "./submit_options.ts";
import type { Context } from "./common.ts";

async function readScript(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(resolve(path));
  } catch (err) {
    throw new UsageError(`cannot read the batch script "${path}": ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** The REST backend as `--cluster-api rest` opens it (the config's url or socket). */
async function backend(ctx: Context): Promise<SlurmRestBackend> {
  const rest = await openBackend(ctx.loaded.config, "rest");
  if (rest instanceof SlurmRestBackend) return rest;
  rest?.close();
  throw new UsageError("slurmrestd is not configured: set streaming.slurm_api.url or socket");
}

/** What slurmrestd said about a request, in one line. */
function why(reply: { status: number; doc: unknown; text: string }): string {
  const e = slurmErrors(reply.doc)[0];
  if (e) return [e.error, e.description].filter(Boolean).join(": ") || `error ${e.number}`;
  return `HTTP ${reply.status}${reply.text ? `: ${reply.text.split("\n")[0].slice(0, 200)}` : ""}`;
}

/** Submit through slurmrestd's job submit, once. */
export async function restSubmit(a: SubmitArgs, ctx: Context): Promise<SbatchResult> {
  const body = await jobSubmission(a.sbatch, {
    cwd: Deno.cwd(),
    env: Deno.env.toObject(),
    readScript,
  });
  const rest = await backend(ctx);
  try {
    const reply = await rest.send("POST", "/slurm/{version}/job/submit", body);
    const doc = reply.doc as { job_id?: unknown; job_submit_user_msg?: unknown } | undefined;
    const id = typeof doc?.job_id === "number" ? doc.job_id : undefined;
    if (reply.status >= 400 || id === undefined || id <= 0) {
      throw new UserFacingError(`slurmrestd refused the job: ${why(reply)}`, {
        hint: "check the options; `sbatch --test-only …` says what Slurm thinks of them",
      });
    }
    const msg = typeof doc?.job_submit_user_msg === "string" ? doc.job_submit_user_msg : "";
    if (msg) await Deno.stderr.write(new TextEncoder().encode(`${msg}\n`));
    return { kind: "submitted", jobId: String(id) };
  } finally {
    rest.close();
  }
}

/** Cancel through slurmrestd; the error text when that failed. */
export async function restCancel(id: string, ctx: Context): Promise<string | undefined> {
  const rest = await backend(ctx);
  try {
    const reply = await rest.send("DELETE", `/slurm/{version}/job/${encodeURIComponent(id)}`);
    return reply.status < 400 && slurmErrors(reply.doc).length === 0 ? undefined : why(reply);
  } catch (err) {
    return (err as Error).message;
  } finally {
    rest.close();
  }
}
