/**
 * The jobs view: the cluster's jobs, refreshed every cluster.poll_interval; arrows, PgUp/PgDn,
 * Home/End, `/` search; Enter or `o` opens a job's output; `q` quits.
 * @module
 */
import { columnWidths, JOB_TABLE_HEAD, jobRowCells, joinCells } from "../../cluster/job_table.ts";
import { isTerminal } from "../../cluster/job.ts";
import { JobsModel } from "../model/jobs_model.ts";
import { fitLine } from "../model/text_fit.ts";
import { type Box, createBox, type KeyInfo } from "../widgets/blessed.ts";
import { Prompt } from "../widgets/modal.ts";
import type { App, View } from "./app.ts";

const STATE_COLOR: Record<string, string> = {
  RUNNING: "32",
  PENDING: "33",
  COMPLETED: "36",
  FAILED: "31",
  CANCELLED: "35",
  TIMEOUT: "31",
};

/** The jobs list. */
export class JobsView implements View {
  readonly title = "Jobs";
  readonly model = new JobsModel();
  #app: App;
  #box: Box;
  #loading = false;
  #top = 0;

  constructor(app: App) {
    this.#app = app;
    this.#box = createBox({
      parent: app.screen,
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

  /** Ask the cluster for the job list again. */
  async refresh(): Promise<void> {
    const cluster = this.#app.cluster;
    if (!cluster || this.#loading) return;
    this.#loading = true;
    try {
      const jobs = await cluster.listJobs();
      jobs.sort((a, b) =>
        b.jobId - a.jobId || a.id.localeCompare(b.id, undefined, { numeric: true })
      );
      this.model.setJobs(jobs);
      this.#app.markDirty();
    } catch (err) {
      this.#app.fail(err);
    } finally {
      this.#loading = false;
    }
  }

  #rows(): number {
    return Math.max(1, this.#app.screen.height - 2 - 2 - 1);
  }

  draw(): void {
    const width = Math.max(10, this.#app.screen.width - 2);
    const jobs = this.model.shown;
    const rows = this.#rows();
    const sel = this.model.index;
    if (sel < this.#top) this.#top = sel;
    if (sel >= this.#top + rows) this.#top = sel - rows + 1;
    this.#top = Math.max(0, Math.min(this.#top, Math.max(0, jobs.length - rows)));
    const now = Date.now();
    const cells = jobs.map((j) => jobRowCells(j, now));
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
    if (!this.#app.cluster) {
      out.push("", "No cluster: start s9s with --mock to try it, or on a Slurm login node.");
    } else if (jobs.length === 0) {
      out.push("", this.model.updatedAt ? "No jobs match." : "Loading jobs…");
    }
    this.#box.setContent(out.join("\n"));
    const search = this.model.search ? ` /${this.model.search}/` : "";
    const cluster = this.#app.cluster ? ` [${this.#app.cluster.name}]` : "";
    this.#box.setLabel(` Jobs (${jobs.length})${cluster}${search} `);
  }

  key(ch: string | undefined, key: KeyInfo): boolean {
    const page = this.#rows();
    switch (key.full ?? key.name) {
      case "up":
      case "k":
        this.model.move(-1);
        return true;
      case "down":
      case "j":
        this.model.move(1);
        return true;
      case "pageup":
        this.model.move(-page);
        return true;
      case "pagedown":
        this.model.move(page);
        return true;
      case "home":
      case "g":
        this.model.jump("home");
        return true;
      case "end":
      case "S-g":
        this.model.jump("end");
        return true;
      case "enter":
      case "return":
      case "o":
        this.#open();
        return true;
      case "q":
        this.#app.quit();
        return true;
      case "escape":
        if (this.model.search) this.model.setSearch("");
        return true;
    }
    if (ch === "/") {
      const before = this.model.search;
      this.#app.openModal(
        new Prompt(this.#app.screen, {
          label: "Search jobs",
          initial: before,
          onChange: (v) => {
            this.model.setSearch(v);
            this.#app.markDirty();
          },
          onSubmit: (v) => this.model.setSearch(v),
          onCancel: () => this.model.setSearch(before),
        }),
      );
      return true;
    }
    return false;
  }

  #open(): void {
    const job = this.model.selected;
    if (!job) return this.#app.notify("no job selected", true);
    this.#app.output.open(job.id, job);
    this.#app.show("output");
    if (isTerminal(job.state)) {
      this.#app.notify(`job ${job.id} is ${job.state}: showing its output`);
    }
  }

  status(): string {
    return " ↑/↓ PgUp/PgDn Home/End:move  Enter/o:output  /:search  Ctrl+s:monitor  ?:help  q:quit";
  }

  help(): string[] {
    return [
      "Jobs view",
      "  ↑/↓ k/j        move            PgUp/PgDn  page",
      "  Home/End       first/last job  /          search (Esc clears)",
      "  Enter, o       open the job's output",
      "  Ctrl+s         stream monitor  q          quit s9s",
    ];
  }
}
