/**
 * The highlight patterns s9s ships in its default configuration. They are plain alternatives
 * and one short digit run: linear on any input and cheap per byte, so a catch-up that uses only
 * them gives the event loop its turn between batches and Ctrl+C is honoured there — no
 * interrupt watchdog (a worker isolate, ≈ 15 ms of CPU at start-up) is needed for them.
 * @module
 */

/** The default `errors`, `warnings` and `progress` highlight patterns. */
export const BUILTIN_PATTERNS = {
  errors: "(?i)error|fail|exception|fatal",
  warnings: "(?i)warn|warning",
  progress: "\\d+(\\.\\d+)?%|progress:",
} as const;

const KNOWN: ReadonlySet<string> = new Set(Object.values(BUILTIN_PATTERNS));

/** Whether `pattern` is, character for character, one of {@link BUILTIN_PATTERNS}. */
export function isBuiltinPattern(pattern: string): boolean {
  return KNOWN.has(pattern);
}
