/**
 * End with the launcher: s9s started through `npx deno task s9s` runs under `deno task` under
 * npx's node. A SIGTERM to npx ends npx alone; `deno task` and s9s under it lived on as orphans.
 * So s9s notes the launchers above it and stops itself (SIGTERM, handled as any other) when one
 * of them goes away or loses its own parent. A shell, tmux or sshd above s9s is not a launcher:
 * `nohup s9s stream … &` outlives its terminal as it should. Linux (/proc); elsewhere it does
 * nothing.
 * @module
 */

/** Programs that only start s9s and wait for it. */
const LAUNCHERS = new Set(["deno", "node", "npm", "npx"]);

/** How often the launchers are looked at (two small /proc reads each). */
const POLL_MS = 1000;

/** pid and parent pid of a process, from /proc (undefined when it is gone). */
function procStat(pid: number): { comm: string; ppid: number } | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // "pid (comm) state ppid …": comm may hold spaces and parentheses; it ends at the last ")".
    const close = stat.lastIndexOf(")");
    const comm = stat.slice(stat.indexOf("(") + 1, close);
    const ppid = Number(stat.slice(close + 2).split(" ")[1]);
    return Number.isInteger(ppid) ? { comm, ppid } : undefined;
  } catch {
    return undefined;
  }
}

/** The launchers above this process, each with its parent when s9s started. */
export function launchersAbove(pid = Deno.pid): { pid: number; ppid: number }[] {
  const chain: { pid: number; ppid: number }[] = [];
  let cur = procStat(pid);
  while (cur && cur.ppid > 1 && chain.length < 8) {
    const parent = procStat(cur.ppid);
    if (!parent || !LAUNCHERS.has(parent.comm)) break;
    chain.push({ pid: cur.ppid, ppid: parent.ppid });
    cur = parent;
  }
  return chain;
}

/**
 * Watch the launchers above s9s; when one is gone or was orphaned, send this process SIGTERM.
 * Returns a function that stops watching.
 *
 * The ticks are `AbortSignal.timeout`s, not `setInterval`: Deno's first `setTimeout` or
 * `setInterval` loads its Node compatibility timers (≈ 5 ms of a ≈ 40 ms start-up, paid by every
 * run under `deno task`, where no other timer runs before a short run ends). Such a tick keeps the
 * event loop alive until it fires, at most {@link POLL_MS} after the stop: s9s ends by
 * `Deno.exit` (main.ts), which does not wait for it.
 */
export function endWithLauncher(): () => void {
  const chain = launchersAbove();
  if (chain.length === 0) return () => {};
  let stopped = false;
  const tick = () => {
    AbortSignal.timeout(POLL_MS).onabort = () => {
      if (stopped) return;
      if (chain.every((l) => procStat(l.pid)?.ppid === l.ppid)) return tick();
      stopped = true;
      try {
        Deno.kill(Deno.pid, "SIGTERM");
      } catch { /* cannot signal ourselves: nothing better to do */ }
    };
  };
  tick();
  return () => void (stopped = true);
}
