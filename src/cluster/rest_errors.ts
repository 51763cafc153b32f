/**
 * What went wrong talking to slurmrestd, as errors the user can act on: it cannot be reached
 * (TCP or its unix socket), it refused the credentials, or it answered a request with a failure.
 * Apart from slurm_rest.ts, which makes the requests.
 * @module
 */
import { UserFacingError } from "../errors.ts";
import { firstLine } from "./slurm_command.ts";
import type { SlurmApiError } from "./slurm_json.ts";

/** A reply of slurmrestd. */
export interface Reply {
  path: string;
  status: number;
  doc: unknown;
  text: string;
}

/** Which slurmrestd was asked, and how, for the wording of its errors. */
export interface RestPlace {
  /** `http://host:port`, or `unix:/path` of the socket. */
  where: string;
  /** The unix socket's path, when that is how it is reached. */
  socket?: string;
  /** streaming.slurm_api.version as configured ("auto" or e.g. "v0.0.40"). */
  version?: string;
  /** Whether the request carried a token. */
  useToken: boolean;
}

/** How to give slurmrestd a token. */
export const JWT_HINT = "set SLURM_JWT (from `scontrol token`) or streaming.slurm_api.token and " +
  "streaming.slurm_api.user; slurmctld and slurmrestd need AuthAltTypes=auth/jwt";

/** slurmrestd did not answer: timed out, or its address or socket cannot be reached. */
export function restConnectError(err: unknown, place: RestPlace): UserFacingError {
  const msg = netReason(err);
  if (err instanceof DOMException && err.name === "TimeoutError") {
    return new UserFacingError(`slurmrestd at ${place.where} did not answer in time`, {
      hint: "check that slurmrestd and slurmctld are running",
      cause: err,
    });
  }
  const socket = place.socket;
  if (socket) {
    let why = msg.split("\n")[0];
    try {
      if (!Deno.statSync(socket).isSocket) why = "not a socket";
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) why = "no such socket";
      else if (e instanceof Deno.errors.PermissionDenied) why = "permission denied";
    }
    return new UserFacingError(`cannot reach slurmrestd at ${place.where}: ${why}`, {
      hint: "check streaming.slurm_api.socket and that slurmrestd listens there " +
        `(slurmrestd unix:${socket}) and lets you connect`,
      cause: err,
    });
  }
  return new UserFacingError(`cannot reach slurmrestd at ${place.where}: ${msg.split("\n")[0]}`, {
    hint: "check streaming.slurm_api.url and that slurmrestd runs (systemctl status slurmrestd)",
    cause: err,
  });
}

/** slurmrestd answered 401 or 403. */
export function restAuthError(reply: Reply, place: RestPlace): UserFacingError {
  return new UserFacingError(
    `slurmrestd at ${place.where} refused the credentials (HTTP ${reply.status})`,
    {
      hint: place.socket
        ? "rest_auth/local only lets in root and slurmrestd's own user; use the TCP endpoint " +
          "(streaming.slurm_api.url) with a JWT instead"
        : JWT_HINT,
    },
  );
}

/** slurmrestd answered `doing` (e.g. "listing jobs") with a failure or with errors. */
export function restFailure(
  reply: Reply,
  errors: SlurmApiError[],
  doing: string,
  place: RestPlace,
): UserFacingError {
  if (reply.status === 401 || reply.status === 403) return restAuthError(reply, place);
  if (reply.status === 404 && !errors.length) {
    const configured = place.version && place.version !== "auto";
    return new UserFacingError(`slurmrestd at ${place.where} has no ${reply.path} (HTTP 404)`, {
      hint: configured
        ? `streaming.slurm_api.version is "${place.version}": set it to "auto" or to a ` +
          "version slurmrestd loads (see its /openapi/v3)"
        : "check streaming.slurm_api.endpoint",
    });
  }
  const e = errors[0];
  // slurmctld turns a rejected token into a bare "Unspecified error" (-1), with a description
  // ("Unable to find JobId=…") that would mislead.
  const authLike = place.useToken && (e?.number === -1 || e?.number === 1007);
  const why = !e
    ? `HTTP ${reply.status}${reply.text ? ": " + firstLine(reply.text).slice(0, 200) : ""}`
    : authLike
    ? `${e.error || `error ${e.number}`}${e.source ? ` in ${e.source}` : ""}`
    : [e.error, e.description].filter((s) => s).join(": ") || `error ${e.number}`;
  return new UserFacingError(`slurmrestd failed ${doing}: ${why}`, {
    hint: authLike
      ? "slurmctld probably rejected the token: " + JWT_HINT
      : "check the slurmrestd and slurmctld logs",
  });
}

/** The useful part of a fetch failure: Deno says "fetch failed" and puts the reason in `cause`. */
function netReason(err: unknown): string {
  const cause = (err as Error)?.cause;
  const text = cause instanceof Error ? cause.message : (err as Error)?.message ?? String(err);
  const last = text.split("\n")[0].split(/:\s+/).filter((s) => s).slice(-2).join(": ");
  return last || text;
}
