/**
 * Alerts from `streaming.alerts`: a pattern over every line read (filters do not hide lines from
 * alerts) and an action — `webhook` (POST JSON to `url`), `notification` (a line on stderr, plus
 * `notify-send` when installed), `command` (`sh -c` with S9S_ALERT_* variables) or `log` (the
 * debug log). Each alert fires at most once per cooldown (default 30s, none for `log`); matches
 * in between are counted and reported with the next firing.
 *
 * Patterns run over a whole batch of text at once, like the filters' chunk scan. Actions never
 * block streaming: webhooks and commands go through small bounded queues.
 * @module
 */
import { sleep } from "../platform/sleep.ts";
import type { AlertConfig } from "../config/schema.ts";
import { compilePattern, PatternError } from "../config/regex.ts";
import { alertProblems } from "../config/alert_rules.ts";
import type { DebugLog } from "../core/debug_log.ts";
import type { LineBatch } from "../core/line_batch.ts";
import { LineScan } from "../core/line_scan.ts";
import { UsageError } from "../errors.ts";
import { statusText } from "./text.ts";

/** What an alert reports (the webhook's JSON body). */
export interface AlertEvent {
  alert: string;
  pattern: string;
  job_id: string;
  stream: string;
  line_num: number;
  content: string;
  timestamp: string;
  /** Matches suppressed by the cooldown since this alert last fired. */
  suppressed: number;
}

/** Default cooldown between two firings of one alert. */
export const DEFAULT_COOLDOWN_MS = 30_000;
/** Commands running at once, at most. */
const MAX_COMMANDS = 4;
/** Queued webhook posts / commands per alert, at most. */
const MAX_QUEUED = 100;

interface Compiled {
  config: AlertConfig;
  name: string;
  /** The pattern's matching lines in a batch. */
  scan: LineScan;
  cooldown: number;
  lastFired: number;
  suppressed: number;
  /** Webhook posts waiting (bounded; drop-oldest). */
  queue: AlertEvent[];
  dropped: number;
  sending: boolean;
  warned: boolean;
}

/** Options for {@link AlertEngine}. */
export interface AlertOptions {
  debug: DebugLog;
  warn: (msg: string) => void;
  /** Where notification lines go (default: stderr). */
  notice?: (msg: string) => void;
  /** Called when an alert fires or is suppressed (for metrics). */
  onCount?: (alert: string, fired: boolean) => void;
}

/** Check the configured alerts; a bad one is a usage error naming its key. */
export function validateAlerts(alerts: AlertConfig[]): void {
  const problems: string[] = [];
  alerts.forEach((a, i) => {
    const key = `streaming.alerts[${i}]`;
    try {
      compilePattern(a.pattern);
    } catch (err) {
      if (err instanceof PatternError) problems.push(`${key}.pattern: ${err.message}`);
      else throw err;
    }
    for (const p of alertProblems(a)) problems.push(`${key}.${p.key}: ${p.message}`);
  });
  if (problems.length) {
    throw new UsageError(`invalid alert configuration`, {
      details: problems,
      hint:
        "each alert needs a pattern and an action: webhook (with url), notification, command (with command) or log",
    });
  }
}

/** Runs every configured alert over line batches. */
export class AlertEngine {
  #alerts: Compiled[];
  #running = new Set<Promise<void>>();
  #commands: (() => Promise<void>)[] = [];
  #droppedCommands = 0;
  /** Ends webhook deliveries and their retries at close. */
  #closing = new AbortController();
  /** The webhook deliveries running. */
  #drains = new Set<Promise<void>>();
  /** Webhook alerts given up on at close. */
  #abandoned = 0;
  #notifySend?: Promise<string | undefined>;

  constructor(alerts: AlertConfig[], readonly o: AlertOptions) {
    validateAlerts(alerts);
    this.#alerts = alerts.map((a, i) => {
      return {
        config: a,
        name: a.name ?? `alert ${i + 1}`,
        scan: new LineScan(compilePattern(a.pattern)),
        cooldown: a.cooldown ?? (a.action === "log" ? 0 : DEFAULT_COOLDOWN_MS),
        lastFired: -Infinity,
        suppressed: 0,
        queue: [],
        dropped: 0,
        sending: false,
        warned: false,
      };
    });
  }

  /** Scan a batch; fire the alerts that match (never blocks). */
  scan(jobId: string, stream: string, batch: LineBatch): void {
    const text = batch.text;
    for (const a of this.#alerts) {
      let lineNum = batch.firstLine;
      let counted = 0; // text position up to which newlines are counted into lineNum
      a.scan.forEach(text, (content, ls) => {
        for (
          let p = text.indexOf("\n", counted);
          p !== -1 && p < ls;
          p = text.indexOf("\n", p + 1)
        ) {
          lineNum++;
        }
        counted = ls;
        this.#match(a, { jobId, stream, lineNum, content, time: batch.time });
      });
    }
  }

  #match(
    a: Compiled,
    l: { jobId: string; stream: string; lineNum: number; content: string; time: number },
  ): void {
    const now = Date.now();
    if (now - a.lastFired < a.cooldown) {
      a.suppressed++;
      this.o.onCount?.(a.name, false);
      return;
    }
    a.lastFired = now;
    const ev: AlertEvent = {
      alert: a.name,
      pattern: a.config.pattern,
      job_id: l.jobId,
      stream: l.stream,
      line_num: l.lineNum,
      content: l.content,
      timestamp: new Date(l.time).toISOString(),
      suppressed: a.suppressed,
    };
    a.suppressed = 0;
    this.o.onCount?.(a.name, true);
    this.o.debug.log(
      "ALERT",
      `${a.name}: job ${ev.job_id} ${ev.stream}:${ev.line_num}: ${ev.content}`,
    );
    switch (a.config.action) {
      case "webhook":
        a.queue.push(ev);
        if (a.queue.length > MAX_QUEUED) {
          a.queue.shift();
          a.dropped++;
        }
        if (!a.sending) {
          const drain = this.#drainWebhook(a);
          this.#drains.add(drain);
          drain.finally(() => this.#drains.delete(drain));
          this.#track(drain);
        }
        break;
      case "notification":
        this.#notify(a, ev);
        break;
      case "command":
        this.#command(a, ev);
        break;
      case "log":
        break;
    }
  }

  #track(p: Promise<void>): void {
    this.#running.add(p);
    p.finally(() => this.#running.delete(p));
  }

  async #drainWebhook(a: Compiled): Promise<void> {
    a.sending = true;
    const stop = this.#closing.signal;
    try {
      let ev: AlertEvent | undefined;
      while ((ev = a.queue.shift())) {
        if (stop.aborted) {
          this.#abandoned++;
          continue;
        }
        let ok = false;
        let lastErr = "";
        for (let attempt = 0; attempt < 4 && !ok && !stop.aborted; attempt++) {
          if (attempt > 0) await sleep(500 * 2 ** attempt, stop);
          if (stop.aborted) break;
          try {
            const res = await fetch(a.config.url!, {
              method: "POST",
              headers: { "Content-Type": "application/json", "User-Agent": "s9s" },
              body: JSON.stringify(ev),
              signal: AbortSignal.any([AbortSignal.timeout(10_000), stop]),
            });
            await res.body?.cancel();
            if (res.ok) ok = true;
            else {
              lastErr = `HTTP ${res.status}`;
              if (res.status >= 400 && res.status < 500 && res.status !== 429) break;
            }
          } catch (err) {
            // fetch says only "fetch failed"; its cause says why (refused, unknown host…).
            const e = err as Error;
            lastErr = e.cause instanceof Error ? e.cause.message : e.message;
          }
          // Said at the first failure (once until it works again), not after the retries: a
          // short run would otherwise end before a word was said.
          if (!ok && !a.warned && !stop.aborted) {
            a.warned = true;
            this.o.warn(
              `alert "${a.name}": webhook ${a.config.url} failed: ${lastErr}; ` +
                "retrying, and trying again for later alerts",
            );
          }
        }
        if (stop.aborted && !ok) {
          this.#abandoned++;
          continue;
        }
        if (!ok) {
          a.dropped++;
          this.o.debug.log("ALERT", `${a.name}: webhook ${a.config.url} failed: ${lastErr}`);
        } else if (a.warned) {
          a.warned = false;
          this.o.warn(
            `alert "${a.name}": webhook ${a.config.url} works again (${a.dropped} alert(s) lost)`,
          );
          a.dropped = 0;
        }
      }
    } finally {
      a.sending = false;
    }
  }

  #notify(a: Compiled, ev: AlertEvent): void {
    const type = a.config.type ?? "info";
    const more = ev.suppressed ? ` (+${ev.suppressed} suppressed)` : "";
    const msg = `s9s: alert (${type}): job ${ev.job_id}: ${ev.content}${more}`;
    if (this.o.notice) this.o.notice(msg);
    else {
      try {
        Deno.stderr.writeSync(new TextEncoder().encode(statusText(msg) + "\n"));
      } catch { /* stderr closed */ }
    }
    this.#notifySend ??= findOnPath("notify-send");
    this.#track(this.#notifySend.then(async (bin) => {
      if (!bin) return;
      try {
        const p = new Deno.Command(bin, {
          args: ["-a", "s9s", `s9s alert (${type}): job ${ev.job_id}`, ev.content],
          stdin: "null",
          stdout: "null",
          stderr: "null",
        }).spawn();
        await p.status;
      } catch (err) {
        this.o.debug.log("ALERT", `notify-send failed: ${(err as Error).message}`);
      }
    }));
  }

  #command(a: Compiled, ev: AlertEvent): void {
    const run = async () => {
      try {
        const p = new Deno.Command("sh", {
          args: ["-c", a.config.command!],
          env: {
            S9S_ALERT_NAME: ev.alert,
            S9S_ALERT_PATTERN: ev.pattern,
            S9S_ALERT_JOB_ID: ev.job_id,
            S9S_ALERT_STREAM: ev.stream,
            S9S_ALERT_LINE: String(ev.line_num),
            S9S_ALERT_CONTENT: ev.content,
            S9S_ALERT_TIMESTAMP: ev.timestamp,
            S9S_ALERT_SUPPRESSED: String(ev.suppressed),
          },
          stdin: "null",
          stdout: "null",
          stderr: "piped",
        }).spawn();
        const [status, err] = await Promise.all([p.status, new Response(p.stderr).text()]);
        if (!status.success) {
          this.o.debug.log("ALERT", `${a.name}: command exited ${status.code}: ${err.trim()}`);
          if (!a.warned) {
            a.warned = true;
            this.o.warn(
              `alert "${a.name}": command exited with ${status.code}${
                err.trim() ? `: ${err.trim().split("\n")[0]}` : ""
              }`,
            );
          }
        }
      } catch (err) {
        this.o.warn(`alert "${a.name}": cannot run its command: ${(err as Error).message}`);
      }
    };
    this.#commands.push(run);
    if (this.#commands.length > MAX_QUEUED) {
      this.#commands.shift();
      this.#droppedCommands++;
    }
    this.#startCommands();
  }

  #active = 0;
  #startCommands(): void {
    while (this.#active < MAX_COMMANDS && this.#commands.length) {
      const run = this.#commands.shift()!;
      this.#active++;
      this.#track(
        run().finally(() => {
          this.#active--;
          this.#startCommands();
        }),
      );
    }
  }

  /**
   * Wait (at most `timeoutMs`) for pending webhooks and commands, then give up on the webhooks
   * still trying (their retries would hold the exit for seconds) and say how many were lost.
   */
  async close(timeoutMs = 1000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.#running.size > 0 && Date.now() < deadline) {
      let t: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        Promise.allSettled([...this.#running]),
        new Promise((r) => t = setTimeout(r, deadline - Date.now())),
      ]);
      clearTimeout(t);
    }
    this.#closing.abort();
    // Webhooks end at once now; a command still running is left to finish on its own.
    await Promise.allSettled([...this.#drains]);
    const lost = this.#alerts.reduce((n, a) => n + a.queue.length, 0) + this.#commands.length +
      this.#abandoned;
    if (lost + this.#droppedCommands > 0) {
      this.o.warn(`alerts: ${lost + this.#droppedCommands} alert action(s) were not delivered`);
    }
  }
}

/** The full path of an executable on PATH, if any. */
async function findOnPath(name: string): Promise<string | undefined> {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (!dir) continue;
    try {
      const st = await Deno.stat(`${dir}/${name}`);
      if (st.isFile && (st.mode ?? 0o111) & 0o111) return `${dir}/${name}`;
    } catch { /* not here */ }
  }
  return undefined;
}
