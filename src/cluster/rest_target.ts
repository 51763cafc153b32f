/**
 * Where slurmrestd is when `streaming.slurm_api` names neither a url nor a socket (the guide's
 * `slurm_api: {enabled: true}`): the unix socket Slurm's packaged unit files listen on, when one
 * of them exists here, else slurmrestd's default TCP port on this host.
 * @module
 */

/** Sockets slurmrestd's unit files use (Slurm's own, Debian's), in the order they are tried. */
export const DEFAULT_REST_SOCKETS = [
  "/run/slurmrestd/slurmrestd.socket",
  "/run/slurmrestd.socket",
  "/var/lib/slurmrestd.socket",
];

/** slurmrestd's default listening address (`SLURMRESTD_LISTEN=:6820`). */
export const DEFAULT_REST_URL = "http://localhost:6820";

/** The configured url/socket, or the default one. */
export interface RestTarget {
  url?: string;
  socket?: string;
}

/** The target for `api`: its own url or socket when set, else the first default that applies. */
export function restTarget(
  api: { url: string; socket: string },
  sockets: string[] = DEFAULT_REST_SOCKETS,
): RestTarget {
  if (api.url || api.socket) return { url: api.url || undefined, socket: api.socket || undefined };
  const socket = sockets.find(isSocket);
  return socket ? { socket } : { url: DEFAULT_REST_URL };
}

function isSocket(path: string): boolean {
  try {
    return Deno.statSync(path).isSocket === true;
  } catch {
    return false;
  }
}
