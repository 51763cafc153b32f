/**
 * s9s — watch SLURM job output live. Starts the program (src/cli/program.ts) from the bundle of
 * the sources when a fresh one is there (`deno task bundle`, see src/platform/bundle.ts), else
 * from the sources (and with `--debug`), and exits with its code: the only place that calls
 * Deno.exit.
 * @module
 */
import { importProgram } from "./src/platform/bundle.ts";

if (import.meta.main) {
  const { runProgram } = await importProgram<typeof import("./src/cli/program.ts")>(Deno.args);
  Deno.exit(await runProgram(Deno.args, import.meta.dirname));
}
