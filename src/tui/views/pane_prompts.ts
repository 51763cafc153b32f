/**
 * The Stream Monitor's prompts for one pane: its filter (applied as it is typed, put back on
 * cancel or on a bad pattern) and saving its lines to a file. Apart from monitor_view.ts, which
 * draws the grid and routes keys, so that each stays short.
 * @module
 */
import { dirname } from "../../platform/posix_path.ts";
import { expandHome } from "../../platform/paths.ts";
import { writeText } from "../../sinks/writer.ts";
import { plural } from "../../core/plural.ts";
import type { PaneModel } from "../model/pane_model.ts";
import { compileTuiPattern } from "../model/tui_pattern.ts";
import { Prompt } from "../widgets/modal.ts";
import type { ViewHost } from "./view_host.ts";

/** Lines as a pane reads them. */
export interface Lines {
  readonly length: number;
  slice(from: number, count: number): { content: string }[];
}

/** Ask for the pane's filter; each keystroke applies it, Esc or a bad pattern keeps the old one. */
export function openFilterPrompt(host: ViewHost, m: PaneModel): void {
  const before = m.filterText;
  const compile = (p: string) => compileTuiPattern(p, "filter");
  const apply = (v: string): Error | undefined => {
    try {
      m.setFilter(v, compile);
    } catch (err) {
      return err as Error;
    }
    host.notify(v ? `filter /${v}/ on job ${m.jobId} ${m.type}` : "filter removed");
  };
  const kept = before ? `the filter stays /${before}/` : "no filter is applied";
  host.openModal(
    new Prompt(host.screen, {
      label: "Filter (regex, empty removes)",
      initial: before,
      selected: true,
      onChange: (v) => {
        const err = apply(v);
        if (err) host.notify(`error: ${err.message}`, true);
        host.markDirty();
      },
      onSubmit: (v) => {
        const err = apply(v);
        if (!err) return;
        m.setFilter(before, compile);
        host.notify(`error: ${err.message}; ${kept}`, true);
      },
      onCancel: () => m.setFilter(before, compile),
    }),
  );
}

/** Where a pane is saved and what it holds (read when the user confirms). */
export interface SaveOptions {
  /** The directory the suggested file name is in (streaming.persistence.directory). */
  saveDir: string;
  lines: () => Lines | undefined;
}

/** Ask where to save the pane's lines (a stamped name in `saveDir` suggested), then save them. */
export function openSavePrompt(host: ViewHost, m: PaneModel, opts: SaveOptions): void {
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*$/, "").replace(
    "T",
    "-",
  );
  const safeId = m.jobId.replace(/[^\w.-]/g, "_");
  const initial = `${expandHome(opts.saveDir)}/${safeId}-${m.type}-${stamp}.log`;
  host.openModal(
    new Prompt(host.screen, {
      label: "Save to",
      initial,
      onSubmit: (path) => {
        const target = path.trim();
        if (!target) return;
        savePane(target, m, opts.lines()).then(
          (n) => host.notify(`saved ${plural(n, "line")} of job ${m.jobId} ${m.type} to ${target}`),
          (err) => host.fail(err),
        );
      },
    }),
  );
}

/** Write a pane's lines (its filter applied) to a file; returns how many. */
async function savePane(path: string, m: PaneModel, src: Lines | undefined): Promise<number> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  let n = 0;
  try {
    const len = src?.length ?? 0;
    for (let from = 0; from < len; from += 4096) {
      let text = "";
      for (const l of src!.slice(from, 4096)) {
        if (m.filter && !m.filter.test(l.content)) continue;
        text += l.content + "\n";
        n++;
      }
      if (text) await writeText(file, text);
    }
  } finally {
    file.close();
  }
  return n;
}
