/**
 * The view state of one stream pane (Stream Monitor pane or output view): scroll anchor,
 * follow, pause, filter, search and display toggles. Reads lines from the stream's buffer
 * through a small interface; knows nothing of neo-blessed.
 * @module
 */

/** One line as the buffer holds it. */
export interface PaneLine {
  num: number;
  content: string;
  time: number;
}

/** The part of StreamBuffer a pane reads. */
export interface LineSource {
  readonly length: number;
  /** line_num of the oldest line, when the source knows it without reading (spilled tiers). */
  readonly firstNum?: number;
  slice(from: number, count: number): PaneLine[];
}

/** The engine's scroll-back search (StreamBuffer.search fits): one search for every tier. */
export interface LineSearcher {
  search(
    regex: RegExp,
    fromLine: number,
    direction: "forward" | "backward",
  ): Promise<PaneLine | undefined>;
}

/** line_num of a source's oldest line. */
function firstOf(src: LineSource): number {
  return src.firstNum ?? src.slice(0, 1)[0].num;
}

const CHUNK = 1024;

/** View state of one pane. */
export class PaneModel {
  /** Stream key ("123:stdout"). */
  key: string;
  jobId: string;
  type: "stdout" | "stderr";
  /** line_num of the bottom line shown; undefined = follow the newest line. */
  anchor?: number;
  /** Paused: show nothing newer than this line_num (lines keep buffering). */
  pausedAt?: number;
  filter?: RegExp;
  filterText = "";
  search?: RegExp;
  searchText = "";
  timestamps = false;
  wrap = true;
  /** Latest `\r` progress state of the line being written. */
  progress?: { text: string; lineNum: number };
  /** Something changed since the last draw. */
  dirty = true;

  constructor(jobId: string, type: "stdout" | "stderr") {
    this.jobId = jobId;
    this.type = type;
    this.key = `${jobId}:${type}`;
  }

  /** Whether new lines scroll into view. */
  get following(): boolean {
    return this.anchor === undefined && this.pausedAt === undefined;
  }

  /** Lines written since the pause, waiting to be shown. */
  waiting(totalLines: number): number {
    return this.pausedAt === undefined ? 0 : Math.max(0, totalLines - this.pausedAt);
  }

  /** Pause at the current last line, or resume. */
  togglePause(totalLines: number): void {
    this.pausedAt = this.pausedAt === undefined ? totalLines : undefined;
    this.dirty = true;
  }

  /** Set (or with "" remove) the live filter; throws on a bad regex. */
  setFilter(text: string, compile: (p: string) => RegExp): void {
    this.filter = text ? compile(text) : undefined;
    this.filterText = text;
    this.anchor = undefined;
    this.dirty = true;
  }

  #passes(line: PaneLine): boolean {
    return !this.filter || this.filter.test(line.content);
  }

  /** Buffer index just past the last line that may be shown (pause and anchor applied). */
  #endIndex(src: LineSource): number {
    const len = src.length;
    if (len === 0) return 0;
    const first = firstOf(src);
    let end = len;
    if (this.pausedAt !== undefined) end = Math.min(end, Math.max(0, this.pausedAt - first + 1));
    if (this.anchor !== undefined) end = Math.min(end, Math.max(1, this.anchor - first + 1));
    return end;
  }

  /** Up to `count` shown lines ending at the bottom of the view, oldest first. */
  visible(src: LineSource, count: number): PaneLine[] {
    return scanBack(src, this.#endIndex(src), count, (l) => this.#passes(l)).reverse();
  }

  /** Scroll up (older) by `n` shown lines. */
  scrollUp(src: LineSource, n: number, viewHeight: number): void {
    const shown = this.visible(src, viewHeight + n);
    // Everything already fits: nothing older to reveal, so keep following.
    if (shown.length <= viewHeight) return;
    // Never scroll past the oldest line: the view stays full.
    const bottom = Math.max(Math.min(viewHeight, shown.length) - 1, shown.length - 1 - n);
    this.anchor = shown[bottom].num;
    this.dirty = true;
  }

  /** Scroll down (newer) by `n` shown lines; reaching the end resumes following. */
  scrollDown(src: LineSource, n: number): void {
    if (this.anchor === undefined) return;
    const len = src.length;
    const first = len ? firstOf(src) : 0;
    const from = this.anchor - first + 1;
    const next = scanForward(src, from, n, (l) => this.#passes(l) && this.#notPaused(l));
    const limit = this.pausedAt !== undefined ? this.pausedAt : first + len - 1;
    const more = scanForward(src, from, n + 1, (l) => this.#passes(l) && this.#notPaused(l));
    if (more.length <= n || (next.length && next.at(-1)!.num >= limit)) this.anchor = undefined;
    else this.anchor = next.at(-1)!.num;
    this.dirty = true;
  }

  #notPaused(l: PaneLine): boolean {
    return this.pausedAt === undefined || l.num <= this.pausedAt;
  }

  /** Jump to the oldest line. */
  home(src: LineSource, viewHeight: number): void {
    const first = scanForward(src, 0, viewHeight, (l) => this.#passes(l) && this.#notPaused(l));
    if (first.length) this.anchor = first.at(-1)!.num;
    if (!this.scrolledBack(src)) this.anchor = undefined;
    this.dirty = true;
  }

  /** Whether newer lines than the bottom of the view are hidden by scrolling (not by a pause). */
  scrolledBack(src: LineSource): boolean {
    if (this.anchor === undefined || src.length === 0) return false;
    const from = this.anchor - firstOf(src) + 1;
    return scanForward(src, from, 1, (l) => this.#passes(l) && this.#notPaused(l)).length > 0;
  }

  /** Jump to the newest line and follow again. */
  end(): void {
    this.anchor = undefined;
    this.dirty = true;
  }

  /**
   * Move to the next search match: older (`backward`, key n) from the top of the view, or
   * newer (key N) from its bottom. The engine's search walks every tier of the scroll-back;
   * matches the pane's filter or pause hides are skipped. Resolves whether one was found.
   */
  async findNext(
    src: LineSource,
    searcher: LineSearcher,
    viewHeight: number,
    backward: boolean,
  ): Promise<boolean> {
    if (!this.search || src.length === 0) return false;
    const shown = this.visible(src, viewHeight);
    const first = firstOf(src);
    let from = backward
      ? (shown.length ? shown[0].num - 1 : first + src.length - 1)
      : (shown.length ? shown.at(-1)!.num + 1 : first);
    while (true) {
      const hit = await searcher.search(this.search, from, backward ? "backward" : "forward");
      if (!hit || !this.#notPaused(hit)) return false;
      if (this.#passes(hit)) {
        this.#showMatch(src, hit, viewHeight, backward);
        return true;
      }
      from = backward ? hit.num - 1 : hit.num + 1;
    }
  }

  #showMatch(src: LineSource, hit: PaneLine, viewHeight: number, atTop: boolean): void {
    if (atTop) {
      // Put the match at the top of the view.
      const after = scanForward(
        src,
        hit.num - firstOf(src) + 1,
        viewHeight - 1,
        (l) => this.#passes(l) && this.#notPaused(l),
      );
      this.anchor = after.length ? after.at(-1)!.num : hit.num;
    } else {
      this.anchor = hit.num;
    }
    this.dirty = true;
  }
}

/** Collect up to `want` lines passing `ok`, walking back from index `end` (exclusive). */
export function scanBack(
  src: LineSource,
  end: number,
  want: number,
  ok: (l: PaneLine) => boolean,
): PaneLine[] {
  const out: PaneLine[] = [];
  let hi = Math.min(end, src.length);
  while (hi > 0 && out.length < want) {
    const lo = Math.max(0, hi - CHUNK);
    const chunk = src.slice(lo, hi - lo);
    for (let i = chunk.length - 1; i >= 0 && out.length < want; i--) {
      if (ok(chunk[i])) out.push(chunk[i]);
    }
    hi = lo;
  }
  return out;
}

/** Collect up to `want` lines passing `ok`, walking forward from index `from`. */
export function scanForward(
  src: LineSource,
  from: number,
  want: number,
  ok: (l: PaneLine) => boolean,
): PaneLine[] {
  const out: PaneLine[] = [];
  let lo = Math.max(0, from);
  while (lo < src.length && out.length < want) {
    const chunk = src.slice(lo, CHUNK);
    for (const l of chunk) {
      if (out.length >= want) break;
      if (ok(l)) out.push(l);
    }
    lo += CHUNK;
  }
  return out;
}
