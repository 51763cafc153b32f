/**
 * Terminal facts: is it a TTY, may we use color. What may be written to one is decided by
 * core/terminal_safe.ts (`neutralize`).
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
