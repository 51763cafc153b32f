/**
 * Drive a real terminal program inside tmux: start a detached session of a given size, send
 * keys, capture the screen and wait (with a deadline, never a sleep) for text to appear.
 *
 * Every session runs on its own tmux server (`tmux -S <socket in the session's temp dir> -f
 * /dev/null`), so nothing else on the machine — another test, another user's tmux, a
 * ~/.tmux.conf — can disturb it. A shared server is what made tests fail with "server exited
 * unexpectedly": killing the last session makes the server exit, and a `new-session` that
 * connects while it is exiting gets that error (14 of 200 kill/new pairs here).
 * @module
 */
import { denoCacheDir } from "./cli.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
let counter = 0;

/** Options for {@link TmuxSession.start}. */
export interface TmuxStartOptions {
  /** Arguments to s9s (default: ["--mock"]). */
  args?: string[];
  width?: number;
  height?: number;
  /** Extra environment for s9s. */
  env?: Record<string, string>;
  /** Start s9s as README says, `deno task -q s9s …` (its flags), instead of `deno run`. */
  task?: boolean;
  /** Leave stderr on the terminal, as a user has it (else it goes to stderr.log). */
  stderrOnTerminal?: boolean;
}

async function tmux(socket: string, ...args: string[]): Promise<string> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("tmux", {
      args: ["-S", socket, "-f", "/dev/null", ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error("tmux is not installed (apt-get install tmux)");
    }
    throw e;
  }
  if (!out.success) {
    throw new Error(
      `tmux ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr).trim()}`,
    );
  }
  return new TextDecoder().decode(out.stdout);
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A tmux session running s9s; after s9s exits the shell prints S9S_EXITED and waits. */
export class TmuxSession {
  readonly name: string;
  /** A private HOME (config, saved streams) for this run; also holds the tmux server socket. */
  readonly home: string;
  readonly #socket: string;

  private constructor(name: string, home: string) {
    this.name = name;
    this.home = home;
    this.#socket = `${home}/tmux.sock`;
  }

  /** Start s9s in a new detached session. */
  static async start(options: TmuxStartOptions = {}): Promise<TmuxSession> {
    const name = `s9s-test-${Deno.pid}-${++counter}-${Math.random().toString(36).slice(2, 7)}`;
    const home = await Deno.makeTempDir({ prefix: "s9s-tui-home-" });
    const denoDir = denoCacheDir();
    const env: Record<string, string> = {
      HOME: home,
      DENO_DIR: denoDir,
      TERM: "xterm-256color",
      ...options.env,
    };
    const exports = Object.entries(env).map(([k, v]) => `export ${k}=${shellQuote(v)};`).join(" ");
    const args = (options.args ?? ["--mock"]).map(shellQuote).join(" ");
    const run = options.task ? "task -q s9s" : "run -A --unsafe-proto main.ts";
    const script = `${exports} cd ${shellQuote(ROOT)} && ${
      shellQuote(Deno.execPath())
    } ${run} ${args} ${
      options.stderrOnTerminal ? "" : `2>${shellQuote(home + "/stderr.log")}`
    }; echo S9S_EXITED code=$? tty=$(stty -a | grep -oE -- '-?icanon' | head -1); sleep 60`;
    const session = new TmuxSession(name, home);
    await tmux(
      session.#socket,
      "new-session",
      "-d",
      "-x",
      String(options.width ?? 120),
      "-y",
      String(options.height ?? 36),
      "-s",
      name,
      `bash -c ${shellQuote(script)}`,
    );
    return session;
  }

  /** Send keys as tmux names them ("Enter", "C-s", "Left", "q"). */
  async keys(...keys: string[]): Promise<void> {
    await tmux(this.#socket, "send-keys", "-t", this.name, ...keys);
  }

  /** Type text literally. */
  async type(text: string): Promise<void> {
    await tmux(this.#socket, "send-keys", "-t", this.name, "-l", text);
  }

  /** The screen as plain text. */
  async capture(options: { escapes?: boolean } = {}): Promise<string> {
    return await tmux(
      this.#socket,
      "capture-pane",
      "-p",
      ...(options.escapes ? ["-e"] : []),
      "-t",
      this.name,
    );
  }

  /** A tmux format (e.g. "#{pane_pid}") expanded for this session's pane. */
  async display(format: string): Promise<string> {
    return (await tmux(this.#socket, "display-message", "-p", "-t", this.name, format)).trim();
  }

  /** Whether the alternate screen is on and the cursor shown (tmux's view of the terminal). */
  async terminalState(): Promise<{ alternate: boolean; cursor: boolean }> {
    const [alt, cur] = (await this.display("#{alternate_on} #{cursor_flag}")).split(" ");
    return { alternate: alt === "1", cursor: cur === "1" };
  }

  /** Resize the window. */
  async resize(width: number, height: number): Promise<void> {
    await tmux(
      this.#socket,
      "resize-window",
      "-t",
      this.name,
      "-x",
      String(width),
      "-y",
      String(height),
    );
  }

  /**
   * Wait until the screen satisfies `what` (text, regex or predicate); returns that screen.
   * Throws with the last screen after `timeout` ms.
   */
  async waitFor(
    what: string | RegExp | ((screen: string) => boolean),
    options: { timeout?: number; escapes?: boolean; pollMs?: number } = {},
  ): Promise<string> {
    const deadline = Date.now() + (options.timeout ?? 15_000);
    const test = typeof what === "string"
      ? (s: string) => s.includes(what)
      : what instanceof RegExp
      ? (s: string) => what.test(s)
      : what;
    let screen = "";
    while (true) {
      screen = await this.capture({ escapes: options.escapes });
      if (test(screen)) return screen;
      if (Date.now() > deadline) {
        let stderr = "";
        try {
          stderr = await Deno.readTextFile(`${this.home}/stderr.log`);
        } catch { /* none */ }
        throw new Error(
          `timed out waiting for ${String(what)}; screen:\n${screen}\nstderr:\n${
            stderr.slice(-2000)
          }`,
        );
      }
      await new Promise((r) => setTimeout(r, options.pollMs ?? 40));
    }
  }

  /** End the session and its tmux server, and remove its HOME (with the socket). */
  async kill(): Promise<void> {
    try {
      await tmux(this.#socket, "kill-server");
    } catch { /* already gone */ }
    await Deno.remove(this.home, { recursive: true }).catch(() => {});
  }
}

/** Run `fn` with a fresh session, killing it afterwards whatever happens. */
export async function withTmux(
  options: TmuxStartOptions,
  fn: (t: TmuxSession) => Promise<void>,
): Promise<void> {
  const t = await TmuxSession.start(options);
  try {
    await fn(t);
  } finally {
    await t.kill();
  }
}

/** In the s9s Stream Monitor, add a stream with `+`: type the job id, pick stdout (0) or stderr (1). */
export async function addStream(t: TmuxSession, jobId: string, which: 0 | 1): Promise<void> {
  await t.keys("+");
  await t.waitFor("Add stream: pick a job");
  await t.keys("Enter"); // "Type a job id…"
  await t.waitFor("Job id:");
  await t.type(jobId);
  await t.keys("Enter");
  await t.waitFor("which output?");
  if (which === 1) await t.keys("Down");
  await t.keys("Enter");
  await t.waitFor(`Job ${jobId} [${which === 0 ? "STDOUT" : "STDERR"}]`);
}
