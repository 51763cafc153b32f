/**
 * The event loop's turns during synchronous reads: a burst of batches after a quiet spell (fifty
 * busy files read in one turn) goes on without waiting, while a synchronous run that holds the
 * loop is made to let it turn.
 */
import { deepStrictEqual } from "node:assert";
import { loopTurned, TURN_EVERY_MS, turnEventLoopIfDue } from "../../../src/platform/loop_turn.ts";

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

Deno.test("loopTurned: a batch read in a task that just began (a timer's) asks for no turn", async () => {
  await sleep(TURN_EVERY_MS * 2 + 10);
  const busy = (ms: number, each: () => void) => {
    const end = performance.now() + ms;
    while (performance.now() < end) each();
  };
  busy(TURN_EVERY_MS * 2, () => {}); // held: the last turn is long ago
  loopTurned(); // …but a task begins now
  let wait: Promise<void> | undefined;
  busy(TURN_EVERY_MS * 1.5, () => void (wait ??= turnEventLoopIfDue()));
  deepStrictEqual(
    wait,
    undefined,
    "no wait within TURN_EVERY_MS of the turn's start and the probe's",
  );
  // Without the call, the same run is made to wait.
  busy(TURN_EVERY_MS * 2, () => void (wait ??= turnEventLoopIfDue()));
  deepStrictEqual(wait !== undefined, true);
  await wait;
});
