/**
 * Reading (not verifying) a Slurm JWT, for the user name and expiry it carries.
 * @module
 */

/** The claims of a JWT (unverified: only `sun` and `exp` are read, to fill headers). */
export function jwtClaims(token: string): Record<string, unknown> {
  try {
    const part = token.split(".")[1] ?? "";
    const b64 = part.replace(/-/g, "+").replace(/_/g, "/").padEnd(
      Math.ceil(part.length / 4) * 4,
      "=",
    );
    const claims = JSON.parse(
      new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))),
    );
    return (typeof claims === "object" && claims !== null && !Array.isArray(claims)) ? claims : {};
  } catch {
    return {};
  }
}
