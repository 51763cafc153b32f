/**
 * The process's stdout and stderr as text writers, made here in the CLI and passed to the sinks
 * and commands that print (sinks never reach for the process's streams themselves).
 * @module
 */
import { bestEffortOut, serialOut, type TextOut } from "../sinks/writer.ts";

/** stdout as a {@link TextOut}; a failed write rejects with an `OutputError` naming it. */
export const stdoutOut: TextOut = serialOut(Deno.stdout, "standard output");
/**
 * stderr as a {@link TextOut}, best effort: messages, warnings and errors go there, and one that
 * cannot be written (stderr on a full disk) must not stop the command or its data on stdout.
 */
export const stderrOut: TextOut = bestEffortOut(serialOut(Deno.stderr));
