/**
 * A typed doorway to neo-blessed (which ships no types): only what the views use.
 * @module
 */
import blessed from "neo-blessed";
import process from "node:process";
import { watchdogAlternateScreen } from "../../platform/interrupt_watchdog.ts";

/** The keypress details blessed reports. */
export interface KeyInfo {
  name?: string;
  full?: string;
  ctrl?: boolean;
  shift?: boolean;
  meta?: boolean;
}

/** A blessed box (and the parts of it we use). */
export interface Box {
  left: number | string;
  top: number | string;
  width: number | string;
  height: number | string;
  readonly hidden: boolean;
  style: { border?: { fg?: string }; fg?: string; bg?: string; bold?: boolean };
  setContent(text: string): void;
  setLabel(text: string): void;
  show(): void;
  hide(): void;
  destroy(): void;
  setFront(): void;
}

/** The blessed screen. */
export interface Screen {
  readonly width: number;
  readonly height: number;
  render(): void;
  destroy(): void;
  on(event: "keypress", fn: (ch: string | undefined, key: KeyInfo) => void): void;
  on(event: "resize", fn: () => void): void;
  /** Forget what is on the terminal, so the next render paints every cell. */
  realloc(): void;
  program: { showCursor(): void; normalBuffer(): void; clear(): void };
}

/** Box options we pass. */
export interface BoxOptions {
  parent: Screen | Box;
  left?: number | string;
  top?: number | string;
  right?: number | string;
  bottom?: number | string;
  width?: number | string;
  height?: number | string;
  border?: "line";
  label?: string;
  content?: string;
  tags?: boolean;
  wrap?: boolean;
  hidden?: boolean;
  style?: Record<string, unknown>;
  padding?: number | { left?: number; right?: number; top?: number; bottom?: number };
}

/** Open the full-screen terminal (alternate screen, raw mode, hidden cursor). */
export function createScreen(title: string): Screen {
  const screen = blessed.screen({
    smartCSR: true,
    fullUnicode: true,
    forceUnicode: true,
    title,
    autoPadding: false,
    warnings: false,
    dockBorders: false,
  });
  // Draw borders with Unicode box characters rather than the alternate character set: every
  // terminal we target speaks UTF-8, and the text stays readable in captures and logs.
  screen.tput.brokenACS = true;
  forgetBlessedSignalExits();
  // A hard exit by the interrupt watchdog (a runaway regex and SIGTERM) leaves this screen too.
  watchdogAlternateScreen(true);
  screen.on("destroy", () => watchdogAlternateScreen(false));
  return screen as Screen;
}

/**
 * neo-blessed ends the process at once (exit 0) on SIGINT and SIGTERM when its own `process`
 * listener is the only one. s9s handles those signals itself (the UI quits, then the pipeline
 * ends and the history is flushed and indexed); blessed's exit skipped all that — a Ctrl+C in
 * the UI (a signal since the terminal raises SIGINT for it) or a `kill` left the streams shown
 * out of `s9s history`. Its handlers are taken away once the screen has set them.
 */
function forgetBlessedSignalExits(): void {
  const Screen = blessed.screen as unknown as Record<string, unknown>;
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    const handler = Screen[`_${sig.toLowerCase()}Handler`];
    if (typeof handler === "function") {
      process.removeListener(sig, handler as (...args: unknown[]) => void);
    }
  }
}

/**
 * Run `fn` on a terminal resize before blessed paints: blessed's own resize handler renders at
 * once, with the geometry of the old size, and only then tells the screen's listeners, so a
 * layout made there reached the terminal one frame late — in between, a frame of panes cut off
 * at the new size (what the layout test caught under load). `fn` lays out for the new size; it
 * must not render (blessed does, right after).
 */
export function beforeResizeRender(screen: Screen, fn: () => void): void {
  (screen.program as unknown as { prependListener(e: string, f: () => void): void })
    .prependListener("resize", fn);
}

/** A box. Tags are off by default: job output is never parsed as blessed markup. */
export function createBox(options: BoxOptions): Box {
  return blessed.box({ tags: false, wrap: false, ...options }) as Box;
}
