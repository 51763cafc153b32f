/**
 * What a view may ask of the app — the screen, messages, modals, switching views — and what the
 * app asks of a view. Views get this narrow interface, never the whole App.
 * @module
 */
import type { JobInfo } from "../../cluster/job.ts";
import type { BoundKeys } from "../model/key_table.ts";
import type { Screen } from "../widgets/blessed.ts";
import type { Modal } from "../widgets/modal.ts";

/** The screens of the UI. */
export type ViewName = "jobs" | "output" | "monitor";

/** A screen of the UI: it draws from its models and has one key table. */
export interface View {
  readonly title: string;
  show(): void;
  hide(): void;
  /** Redraw from the models. */
  draw(): void;
  /** The view's key table, bound to it: routing, status hints and help come from it. */
  readonly keys: BoundKeys;
  /** State shown before the key hints in the status line ("Streams: 2 | Active: 1"). */
  statusPrefix?(): string;
}

/** The app, as views see it. */
export interface ViewHost {
  readonly screen: Screen;
  /** Whether a modal (prompt, picker, help) is open. */
  readonly modalOpen: boolean;
  /** Show a message in the message line (errors in red). */
  notify(text: string, error?: boolean): void;
  /** Why streaming is off (`streaming.enabled: false`), shown where streaming is asked for. */
  readonly streamingOff?: string;
  /** Report a failed action in the message line. */
  fail(err: unknown): void;
  /** Open a modal that takes the keyboard until it closes. */
  openModal<M extends Modal & { onClose?: () => void }>(modal: M): M;
  /** Ask for a redraw on the next tick. */
  markDirty(): void;
  /** Switch view. */
  show(name: ViewName): void;
  /** Close the monitor: back to where it was opened from. */
  closeMonitor(): void;
  /** Open a job's output view. */
  openJob(job: JobInfo): void;
  /** Quit s9s. */
  quit(): void;
}
