/**
 * Terminal facts: is it a TTY, may we use color.
 * @module
 */

/** Whether stdout is a terminal. */
export function stdoutIsTerminal(): boolean {
  try {
    return Deno.stdout.isTerminal();
  } catch {
    return false;
  }
}

/** Whether color output is wanted on stdout: a terminal, and NO_COLOR unset. */
export function useColor(): boolean {
  const noColor = Deno.env.get("NO_COLOR");
  if (noColor !== undefined && noColor !== "") return false;
  if (Deno.env.get("FORCE_COLOR")) return true;
  return stdoutIsTerminal();
}

/** ANSI SGR codes for the filter colors. */
export const SGR: Record<string, string> = {
  black: "30",
  red: "31",
  green: "32",
  yellow: "33",
  blue: "34",
  magenta: "35",
  cyan: "36",
  white: "37",
  gray: "90",
  grey: "90",
};

const CONTROL =
  // deno-lint-ignore no-control-regex
  /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[P^_X][^\x1b]*\x1b\\|\x1b[@-Z\\-_]|[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f]|\x9b[0-?]*[ -/]*[@-~]/g;

/**
 * Neutralise control sequences so job output cannot drive the terminal. SGR color sequences
 * (`ESC[…m`) are kept when `keepSgr` is set; everything else is removed (tabs are kept).
 */
export function sanitize(text: string, keepSgr = true): string {
  // deno-lint-ignore no-control-regex
  if (!/[\x00-\x08\x0b-\x1f\x7f\x9b]/.test(text)) return text;
  return text.replace(CONTROL, (seq) => {
    // deno-lint-ignore no-control-regex
    if (keepSgr && /^\x1b\[[0-9;]*m$/.test(seq)) return seq;
    return "";
  });
}
