/**
 * The next turn of the event loop, without a timer.
 * @module
 */

/**
 * Call `fn` once the event loop turns: a message to itself through a channel of its own (closed
 * once it came). Not a timer: a run that needs none otherwise (a catch-up with `--no-follow`)
 * would pay for the first `setTimeout`, which loads the runtime's Node timers (10–15 ms of the
 * main thread, measured with the task's flags).
 */
export function nextTurn(fn: () => void): void {
  const { port1, port2 } = new MessageChannel();
  port1.onmessage = () => {
    port1.close();
    port2.close();
    fn();
  };
  port2.postMessage(0);
}
