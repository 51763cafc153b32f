/**
 * Errors that reach the user. `UsageError` is the user's input being wrong (exit 2);
 * `UserFacingError` is a runtime failure the user can act on (exit 1). Anything else is a bug.
 * @module
 */

/** Options shared by the user-facing errors. */
export interface UserErrorOptions {
  /** One line telling the user what to do next. */
  hint?: string;
  /** Extra lines printed after the message (e.g. every config problem). */
  details?: string[];
  /** The underlying error, shown only with --debug. */
  cause?: unknown;
}

/** A runtime failure the user can act on: permission denied, node unreachable. Exit 1. */
export class UserFacingError extends Error {
  /** A one-line suggestion of what to do next. */
  readonly hint?: string;
  /** Extra lines (one problem each). */
  readonly details: string[];
  /** Process exit code for this error. */
  readonly exitCode: number = 1;

  constructor(message: string, options: UserErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "UserFacingError";
    this.hint = options.hint;
    this.details = options.details ?? [];
  }
}

/** The user's input is wrong: bad flag, bad config, bad regex, unknown job. Exit 2. */
export class UsageError extends UserFacingError {
  override readonly exitCode: number = 2;
  constructor(message: string, options: UserErrorOptions = {}) {
    super(message, options);
    this.name = "UsageError";
  }
}

/**
 * A job id that the cluster does not know (and no file of it is found): the id is the user's
 * input, so exit 2, as for a bad flag. A cluster that cannot tell (accounting unavailable, Slurm
 * not answering) is a runtime failure instead (exit 1).
 */
export class JobNotFoundError extends UsageError {
  constructor(jobId: string, options: UserErrorOptions = {}) {
    super(`job "${jobId}" was not found`, {
      hint: options.hint ??
        "check the id with `s9s jobs` or `squeue -j ID`; finished jobs may have been purged (MinJobAge)",
      ...options,
    });
    this.name = "JobNotFoundError";
  }
}

/**
 * Format an error for the terminal: `error: …` and `hint: …` lines, stack only when asked.
 * `show` makes each message safe to print (the CLI passes one that shows a newline or an escape
 * in a quoted file name instead of obeying it).
 */
export function formatError(
  err: unknown,
  debug: boolean,
  show: (text: string) => string = (t) => t,
): string {
  if (err instanceof UserFacingError) {
    const lines = [`error: ${show(err.message)}`, ...err.details.map((d) => `  ${show(d)}`)];
    if (err.hint) lines.push(`hint: ${show(err.hint)}`);
    if (debug && err.cause) lines.push(String((err.cause as Error)?.stack ?? err.cause));
    return lines.join("\n");
  }
  const e = err as Error;
  if (debug) return `error: ${e?.stack ?? String(err)}`;
  return `error: ${
    show(e?.message ?? String(err))
  }\nhint: this looks like a bug in s9s; rerun with --debug for details and report it`;
}

/** The exit code for an error that escaped to the top level. */
export function exitCodeOf(err: unknown): number {
  return err instanceof UserFacingError ? err.exitCode : 1;
}
