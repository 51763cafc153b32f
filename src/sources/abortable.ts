/**
 * Waiting on a file operation that an abort may overtake.
 * @module
 */

/**
 * Resolves with `p`, or with undefined once `signal` aborts (a FIFO open or read may block). What
 * `p` brings after the abort goes to `late` (e.g. a file to close), and its failure is dropped:
 * the caller is gone, and an unheard rejection would end the process.
 */
export function abortable<T>(
  p: Promise<T>,
  signal?: AbortSignal,
  late: (value: T) => void = () => {},
): Promise<T | undefined> {
  if (!signal) return p;
  const settleLate = () => void p.then(late, () => {});
  if (signal.aborted) {
    settleLate();
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    let settled = false;
    const onAbort = () => {
      if (!settled) settleLate();
      resolve(undefined);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    p.then((v) => {
      settled = true;
      resolve(v);
    }, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
