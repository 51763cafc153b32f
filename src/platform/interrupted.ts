/**
 * Ctrl+C or SIGTERM, as a promise (the signals stay caught for the rest of the process).
 * @module
 */

/** Resolves with "int" on the first SIGINT or SIGTERM. */
export function interrupted(): Promise<"int"> {
  return new Promise((resolve) => {
    const onSig = () => resolve("int");
    try {
      Deno.addSignalListener("SIGINT", onSig);
      Deno.addSignalListener("SIGTERM", onSig);
    } catch { /* signals not supported here: nothing to wait for */ }
  });
}
