/**
 * What `streaming.slurm_api.endpoint` means to s9s: the path of the one-job lookup on
 * slurmrestd, `{version}` and `{job_id}` filled in. The guide's example points it at a
 * `…/job/{job_id}/output` path that no slurmrestd serves (none, up to v0.0.43, returns a job's
 * output): such a value is not used, and `s9s config validate` says so.
 * @module
 */

/** The default `streaming.slurm_api.endpoint`. */
export const DEFAULT_ENDPOINT = "/slurm/{version}/job/{job_id}";

/** Whether `endpoint` asks for a job's output, which slurmrestd cannot give. */
export function isOutputEndpoint(endpoint: string): boolean {
  return /\/output\/?$/.test(endpoint);
}

/** The lookup path s9s uses for a configured endpoint. */
export function jobEndpoint(endpoint: string): string {
  return !endpoint || isOutputEndpoint(endpoint) ? DEFAULT_ENDPOINT : endpoint;
}

/** The note `s9s config validate` prints for an endpoint s9s does not use (or undefined). */
export function endpointWarning(endpoint: string): string | undefined {
  if (!isOutputEndpoint(endpoint)) return undefined;
  return `streaming.slurm_api.endpoint ${JSON.stringify(endpoint)} is not used: slurmrestd ` +
    `(up to v0.0.43) has no endpoint that returns a job's output; s9s looks jobs up at ` +
    `${DEFAULT_ENDPOINT} and reads their output from files, over SSH, or from running srun ` +
    `steps with sattach (--source api); remove the key`;
}
