/**
 * One stream drawn in a bordered box: title with job id, [STDOUT]/[STDERR], job state and
 * stream state; an info row; the lines the pane model selects, colored and fitted.
 * @module
 */
import type { StreamHandle } from "../../engine/stream_manager.ts";
import type { Rect } from "../model/layout.ts";
import { formatLine, formatProgress, type Highlight, safeText } from "../model/line_format.ts";
import type { PaneModel } from "../model/pane_model.ts";
import { fitLine } from "../model/text_fit.ts";
import { type Box, createBox, type Screen } from "./blessed.ts";
import { plural } from "../../core/plural.ts";

/** What a pane shows as its stream state. */
export function streamStateOf(model: PaneModel, handle: StreamHandle | undefined): string {
  if (model.pausedAt !== undefined) return "paused";
  // A pane without its stream yet: the view asked for it and the stream manager is setting it
  // up (on a cold cache that loads modules first, a second or two).
  if (!handle) return "starting";
  switch (handle.state) {
    case "pending":
    case "waiting":
      return "waiting";
    default:
      return handle.state;
  }
}

/** Draw options. */
export interface PaneDrawOptions {
  focused: boolean;
  highlights: readonly Highlight[];
  /** Extra words for the title (output view: job name). */
  title?: string;
}

/** A bordered stream pane. */
export class StreamPaneWidget {
  readonly box: Box;
  #rect: Rect = { left: 0, top: 0, width: 10, height: 5 };

  constructor(parent: Screen | Box) {
    this.box = createBox({ parent, border: "line", left: 0, top: 0, width: 10, height: 5 });
  }

  /** Move and size the pane (relative to its parent). */
  place(rect: Rect): void {
    this.#rect = rect;
    this.box.left = rect.left;
    this.box.top = rect.top;
    this.box.width = rect.width;
    this.box.height = rect.height;
  }

  /** Rows available for lines. */
  get bodyRows(): number {
    return Math.max(1, this.#rect.height - 3);
  }

  /** Redraw from the model and the stream. */
  draw(model: PaneModel, handle: StreamHandle | undefined, options: PaneDrawOptions): void {
    const inner = Math.max(1, this.#rect.width - 2);
    const stateWord = streamStateOf(model, handle);
    const jobState = handle?.jobState ?? "";
    const label =
      `${options.focused ? " ▶" : ""} Job ${model.jobId}${
        options.title ? ` ${options.title}` : ""
      } [${model.type.toUpperCase()}]` +
      `${jobState ? ` ${jobState}` : ""} ${stateWord} `;
    this.box.setLabel(label.length > inner ? label.slice(0, inner - 1) + "…" : label);
    this.box.style.border = { fg: options.focused ? "cyan" : "gray" };
    const total = handle?.lines ?? 0;
    const src = handle?.buffer?.all;
    const info: string[] = [plural(total, "line")];
    if (handle?.discarded) info.push(`${handle.discarded} dropped`);
    if (model.pausedAt !== undefined) info.push(`PAUSED ${model.waiting(total)} waiting`);
    else if (src && model.scrolledBack(src)) info.push("scrolled (End follows)");
    if (model.filterText) info.push(`filter /${safeText(model.filterText)}/`);
    if (model.searchText) info.push(`search /${safeText(model.searchText)}/`);
    if (model.timestamps) info.push("time");
    if (!model.wrap) info.push("nowrap");
    if (
      handle?.message &&
      (handle.state === "error" || handle.state === "retrying" || handle.state === "idle")
    ) {
      info.push(safeText(handle.message));
    }
    const infoRow = fitLine(`\x1b[1m${info.join(" · ")}\x1b[0m`, inner, false)[0];
    const rows = this.bodyRows;
    const out: string[] = [];
    if (src) {
      const lines = model.visible(src, rows);
      for (const l of lines) {
        const text = formatLine(l, {
          highlights: options.highlights,
          search: model.search,
          timestamps: model.timestamps,
        });
        for (const r of fitLine(text, inner, model.wrap)) out.push(r);
      }
      const last = lines.at(-1)?.num ?? 0;
      if (model.progress && model.following && model.progress.lineNum > last) {
        out.push(fitLine(formatProgress(model.progress.text), inner, false)[0]);
      }
    }
    let body = out.slice(-rows);
    if (!src || (src.length === 0 && !model.progress)) {
      body = [
        handle?.message
          ? fitLine(safeText(handle.message), inner, true).join("\n")
          : "(no output yet)",
      ];
    }
    this.box.setContent([infoRow, ...body].join("\n"));
  }

  /** Remove the pane from the screen. */
  destroy(): void {
    this.box.destroy();
  }
}
