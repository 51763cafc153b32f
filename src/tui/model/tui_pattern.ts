/**
 * Regexes typed into the UI (filter, search): compiled as the CLI compiles them, but a bad one
 * is explained in the UI's terms — no shell quoting advice, which means nothing in a prompt.
 * @module
 */
import { compilePattern, PatternError } from "../../config/regex.ts";

/** Compile a pattern typed into a prompt; `what` names it ("filter", "search"). */
export function compileTuiPattern(pattern: string, what: string): RegExp {
  try {
    return compilePattern(pattern);
  } catch (err) {
    if (!(err instanceof PatternError)) throw err;
    const reason = err.message.slice(`invalid regular expression "${pattern}": `.length);
    throw new Error(`${what} /${pattern}/ is not a valid regex: ${reason}`);
  }
}
