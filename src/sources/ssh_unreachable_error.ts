/**
 * The error of a node that did not answer, or refused the TCP connection: worth trying again
 * (with backoff), unlike a refused key or a failed authentication.
 * @module
 */
import { type UserErrorOptions, UserFacingError } from "../errors.ts";

/** A node that could not be reached over SSH (timeout, connection refused, no route). */
export class SshUnreachableError extends UserFacingError {
  constructor(message: string, options: UserErrorOptions = {}) {
    super(message, options);
    this.name = "SshUnreachableError";
  }
}
