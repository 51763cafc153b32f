/**
 * The jobs view: draws the jobs model (fetched and sorted there, every cluster.poll_interval) as
 * the job table `s9s jobs` prints, and runs the actions of its key table.
 * @module
 */
import { columnWidths, JOB_TABLE_HEAD, jobRowCells, joinCells } from "../../cluster/job_table.ts";
import { bindKeys, type BoundKeys } from "../model/key_table.ts";
import type { JobsModel } from "../model/jobs_model.ts";
import { safeText } from "../model/line_format.ts";
import { fitLine } from "../model/text_fit.ts";
import { type Box, createBox } from "../widgets/blessed.ts";
import { Prompt } from "../widgets/modal.ts";
import { JOBS_KEYS, type JobsControls } from "./jobs_keys.ts";
import type { View, ViewHost } from "./view_host.ts";

const STATE_COLOR: Record<string, string> = {
  RUNNING: "32",
  PENDING: "33",
  COMPLETED: "36",
  FAILED: "31",
  CANCELLED: "35",
  TIMEOUT: "31",
};

/** The jobs list. */
export class JobsView implements View, JobsControls {
  readonly title = "Jobs";
  readonly keys: BoundKeys;
  #host: ViewHost;
  #model: JobsModel;
  #box: Box;
  #top = 0;

  constructor(host: ViewHost, model: JobsModel) {
    this.#host = host;
    this.#model = model;
    this.keys = bindKeys(JOBS_KEYS, this);
    this.#box = createBox({
      parent: host.screen,
      left: 0,
      top: 0,
      width: "100%",
      height: "100%-2",
      border: "line",
      label: " Jobs ",
      style: { border: { fg: "cyan" } },
    });
  }

  show(): void {
    this.#box.show();
  }

  hide(): void {
    this.#box.hide();
  }

  #rows(): number {
    return Math.max(1, this.#host.screen.height - 2 - 2 - 1);
  }

  draw(): void {
    const width = Math.max(10, this.#host.screen.width - 2);
    const model = this.#model;
    const jobs = model.shown;
    const rows = this.#rows();
    const sel = model.index;
    if (sel < this.#top) this.#top = sel;
    if (sel >= this.#top + rows) this.#top = sel - rows + 1;
    this.#top = Math.max(0, Math.min(this.#top, Math.max(0, jobs.length - rows)));
    const now = Date.now();
    const cells = jobs.map((j) => jobRowCells(j, now).map(safeText));
    const widths = columnWidths(cells);
    const line = (r: readonly string[]) => joinCells(r, widths);
    const out = [fitLine(`\x1b[1m${line(JOB_TABLE_HEAD)}\x1b[0m`, width, false)[0]];
    for (let i = this.#top; i < Math.min(jobs.length, this.#top + rows); i++) {
      let text = line(cells[i]);
      if (i === sel) text = `\x1b[7m${text.padEnd(width)}\x1b[0m`;
      else {
        const code = STATE_COLOR[jobs[i].state.split(" ")[0]];
        if (code) text = `\x1b[${code}m${text}\x1b[0m`;
      }
      out.push(fitLine(text, width, false)[0]);
    }
    if (!model.lister) {
      out.push("", "No cluster: start s9s with --mock to try it, or on a Slurm login node.");
    } else if (jobs.length === 0) {
      out.push("", model.updatedAt ? "No jobs match." : "Loading jobs…");
    }
    this.#box.setContent(out.join("\n"));
    const search = model.search ? ` /${safeText(model.search)}/` : "";
    const cluster = model.lister ? ` [${model.lister.name}]` : "";
    this.#box.setLabel(` Jobs (${jobs.length})${cluster}${search} `);
  }

  get searching(): boolean {
    return this.#model.search !== "";
  }

  move(delta: number | "page-up" | "page-down"): void {
    const page = this.#rows();
    this.#model.move(delta === "page-up" ? -page : delta === "page-down" ? page : delta);
  }

  jump(where: "home" | "end"): void {
    this.#model.jump(where);
  }

  openSelected(): void {
    const job = this.#model.selected;
    if (!job) return this.#host.notify("no job selected", true);
    this.#host.openJob(job);
  }

  searchPrompt(): void {
    const before = this.#model.search;
    this.#host.openModal(
      new Prompt(this.#host.screen, {
        label: "Search jobs",
        initial: before,
        selected: true,
        onChange: (v) => {
          this.#model.setSearch(v);
          this.#host.markDirty();
        },
        onSubmit: (v) => this.#model.setSearch(v),
        onCancel: () => this.#model.setSearch(before),
      }),
    );
  }

  clearSearch(): void {
    this.#model.setSearch("");
  }

  quit(): void {
    this.#host.quit();
  }
}
