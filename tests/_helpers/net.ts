/**
 * Network helpers for tests.
 * @module
 */

/** A local TCP port with nothing listening on it (a connection to it is refused at once). */
export function closedPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}
