/**
 * Small assertion helpers (std's live on JSR, which is unreachable here).
 * @module
 */
import { deepStrictEqual } from "node:assert";

/**
 * Deep strict equality (node:assert's deepStrictEqual), with a short message naming what
 * differed; kept as a name so tests read alike.
 */
export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  try {
    deepStrictEqual(actual, expected);
  } catch {
    throw new Error(
      `${msg ? msg + ": " : ""}values differ\n  actual:   ${truncate(show(actual))}\n  expected: ${
        truncate(show(expected))
      }`,
    );
  }
}

function show(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : Deno.inspect(v, { depth: 6 });
}

function truncate(s: string | undefined): string {
  if (s === undefined) return "undefined";
  return s.length > 2000 ? s.slice(0, 2000) + "…" : s;
}

/** Assert a condition. */
export function assert(cond: unknown, msg = "assertion failed"): asserts cond {
  if (!cond) throw new Error(msg);
}

/** Assert that `text` contains `part`. */
export function assertStringIncludes(text: string, part: string, msg?: string): void {
  if (!text.includes(part)) {
    throw new Error(
      `${msg ? msg + ": " : ""}expected to find ${JSON.stringify(part)} in:\n${truncate(text)}`,
    );
  }
}

/** Assert that `text` matches `re`. */
export function assertMatch(text: string, re: RegExp, msg?: string): void {
  if (!re.test(text)) {
    throw new Error(`${msg ? msg + ": " : ""}expected ${re} to match:\n${truncate(text)}`);
  }
}

/** Assert that `fn` throws (or rejects) an error whose message matches. */
export async function assertRejects(
  fn: () => unknown,
  match?: RegExp,
): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    if (match && !match.test((err as Error).message)) {
      throw new Error(
        `error message ${JSON.stringify((err as Error).message)} does not match ${match}`,
      );
    }
    return err as Error;
  }
  throw new Error("expected an error, none was thrown");
}

/** Wait until `cond` returns truthy, polling every `interval` ms, or fail after `timeout` ms. */
export async function waitFor<T>(
  cond: () => T | Promise<T>,
  { timeout = 10_000, interval = 20, what = "condition" } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeout;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await cond();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, interval));
  }
  throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? `: ${last}` : ""}`);
}
