/**
 * The event loop's turns during synchronous reads: a burst of batches after a quiet spell (fifty
 * busy files read in one turn) goes on without waiting, while a synchronous run that holds the
 * loop is made to let it turn.
 */
import { deepStrictEqual } from "node:assert";
import { TURN_EVERY_MS, turnEventLoopIfDue } from "../../../src/engine/loop_turn.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("turnEventLoopIfDue: batches of one turn after a quiet spell do not wait", async () => {
  await sleep(TURN_EVERY_MS * 2 + 10); // quiet: no batch for a while (the loop turned)
  const waits = Array.from({ length: 50 }, () => turnEventLoopIfDue()).filter((p) => p);
  deepStrictEqual(waits.length, 0);
});

Deno.test("turnEventLoopIfDue: a synchronous run that holds the loop is made to let it turn", async () => {
  await sleep(TURN_EVERY_MS * 2 + 10);
  let turned = false;
  setTimeout(() => turned = true, 0);
  const start = performance.now();
  let wait: Promise<void> | undefined;
  while (!wait && performance.now() - start < TURN_EVERY_MS * 4) wait = turnEventLoopIfDue();
  deepStrictEqual(wait !== undefined, true);
  await wait;
  deepStrictEqual(turned, true);
});
