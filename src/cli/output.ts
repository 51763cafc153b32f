/**
 * The process's stdout and stderr as text writers, made here in the CLI and passed to the sinks
 * and commands that print (sinks never reach for the process's streams themselves).
 * @module
 */
import { serialOut, type TextOut } from "../sinks/writer.ts";

/** stdout as a {@link TextOut}. */
export const stdoutOut: TextOut = serialOut(Deno.stdout);
/** stderr as a {@link TextOut}. */
export const stderrOut: TextOut = serialOut(Deno.stderr);
