/**
 * Include/exclude/highlight filters over line batches. Includes and excludes run over the whole
 * chunk of text at once (as grep does) and only the matching lines are cut out.
 * @module
 */
import { compilePattern, PatternError, quotePattern } from "../config/regex.ts";
import { UsageError } from "../errors.ts";
import { LINE_INDEX_BLOCK as BLOCK, type LineBatch, type Preselect } from "../core/line_batch.ts";
import { matchTester } from "./match_tester.ts";
import { LineScan } from "../core/line_scan.ts";
import { lookable } from "../core/newline_buffer.ts";

/** What a filter does with a matching line. */
export type FilterAction = "include" | "exclude" | "highlight";

/** A compiled named filter. */
export interface NamedFilter {
  name: string;
  action: FilterAction;
  color: string;
  regex: RegExp;
  /**
   * Color matching lines (and name the filter in JSON `highlights`). Default: only for
   * `action: highlight`. False on a highlight filter leaves it without effect.
   */
  highlight?: boolean;
}

/**
 * Lines selected from a batch: either all of them, or these (with their line numbers). A
 * selection may also carry its lines as one text (each with its "\n") and their count, so that a
 * sink needing only those does not make one string per line (see selected_text.ts).
 */
export type Selection =
  | { all: true }
  | { all: false; lines: string[]; nums: number[]; text?: string; count?: number };

/** Every line selected: one object for every batch (it is never changed). */
const ALL: Selection = Object.freeze({ all: true as const });

/**
 * Lines picked by the chunk scan. Their line numbers are counted only when asked for: plain
 * text output never needs them, and counting every newline is a good part of the scan's cost.
 */
class Picked {
  readonly all = false;
  readonly lines: string[] = [];
  #starts: number[] = []; // text position of each picked line
  #text: string;
  #first: number;
  #index?: Int32Array;
  #nums?: number[];

  constructor(text: string, firstLine: number, index?: Int32Array) {
    this.#text = text;
    this.#first = firstLine;
    this.#index = index;
  }

  add(line: string, start: number): void {
    this.lines.push(line);
    this.#starts.push(start);
  }

  get nums(): number[] {
    return this.#nums ??= lineNumbers(this.#text, this.#first, this.#starts, 1, this.#index);
  }
}

/**
 * The number of the line that starts at each of `starts[0]`, `starts[step]`, … (ascending
 * positions of line starts in a batch's `text`, whose first line is `first`): from the batch's
 * block index when it has one (the newlines before the line's block, then those within it), else
 * by walking the newlines up to the last of them. Picked lines and excluded ones are numbered
 * alike.
 */
function lineNumbers(
  text: string,
  first: number,
  starts: number[],
  step = 1,
  index?: Int32Array,
): number[] {
  const nums: number[] = [];
  if (index?.length) {
    const last = index.length - 1;
    for (let i = 0; i < starts.length; i += step) {
      const s = starts[i];
      const block = Math.min(Math.floor(s / BLOCK), last);
      let n = first + index[block];
      for (
        let p = text.indexOf("\n", block * BLOCK);
        p !== -1 && p < s;
        p = text.indexOf("\n", p + 1)
      ) n++;
      nums.push(n);
    }
    return nums;
  }
  let lineNo = first;
  let p = text.indexOf("\n");
  for (let i = 0; i < starts.length; i += step) {
    while (p !== -1 && p < starts[i]) {
      lineNo++;
      p = text.indexOf("\n", p + 1);
    }
    nums.push(lineNo);
  }
  return nums;
}

/**
 * The lines a source picked out for the includes (LineBatch.preselected), all of which pass when
 * no exclude is set: kept as their text, cut into lines and numbered only when a sink asks.
 */
class Preselected {
  readonly all = false;
  readonly text: string;
  readonly count: number;
  #first: number;
  #at: Int32Array;
  #lines?: string[];
  #nums?: number[];

  constructor(text: string, first: number, at: Int32Array) {
    this.text = text;
    this.count = at.length;
    this.#first = first;
    this.#at = at;
  }

  get lines(): string[] {
    return this.#lines ??= this.text.slice(0, -1).split("\n").slice(0, this.count);
  }

  get nums(): number[] {
    if (this.#nums) return this.#nums;
    const at = this.#at;
    const nums = new Array<number>(at.length);
    for (let i = 0; i < at.length; i++) nums[i] = this.#first + at[i];
    return this.#nums = nums;
  }
}

/**
 * The lines excludes alone keep: the batch less the excluded lines, found by one scan of the
 * chunk, as grep -v finds them. Their text, strings and numbers are made only when asked: text
 * output and the history take the text whole, made of the stretches between excluded lines (a
 * catch-up keeping 70% of a million lines made 700,000 strings to join them again).
 */
class Kept {
  readonly all = false;
  readonly count: number;
  #batch: LineBatch;
  /** Where each excluded line starts and where its "\n" is, in pairs. */
  #cut: number[] = [];
  #text?: string;
  #lines?: string[];
  #nums?: number[];

  constructor(batch: LineBatch, scan: LineScan) {
    this.#batch = batch;
    scan.collect(batch.text, this.#cut);
    this.count = batch.count - this.#cut.length / 2;
  }

  get text(): string {
    if (this.#text !== undefined) return this.#text;
    const text = this.#batch.text;
    const cut = this.#cut;
    if (cut.length === 0) return (this.#text = text);
    // One join of the stretches: a flat string (`+=` made a rope of them, flattened later).
    const parts: string[] = [];
    let pos = 0;
    for (let i = 0; i < cut.length; i += 2) {
      if (cut[i] > pos) parts.push(text.slice(pos, cut[i]));
      pos = cut[i + 1] + 1;
    }
    parts.push(text.slice(pos));
    return (this.#text = parts.join(""));
  }

  get lines(): string[] {
    if (this.#lines) return this.#lines;
    const text = this.#batch.text;
    const cut = this.#cut;
    const lines: string[] = [];
    let pos = 0;
    for (let i = 0; i <= cut.length; i += 2) {
      const stop = i < cut.length ? cut[i] : text.length;
      for (let nl = text.indexOf("\n", pos); nl !== -1 && nl < stop; nl = text.indexOf("\n", pos)) {
        lines.push(text.slice(pos, nl));
        pos = nl + 1;
      }
      if (i < cut.length) pos = cut[i + 1] + 1;
    }
    return (this.#lines = lines);
  }

  get nums(): number[] {
    if (this.#nums) return this.#nums;
    const { text, firstLine, lineIndex } = this.#batch;
    // Every line of the batch but the excluded ones (numbered as picked lines are).
    const dropped = lineNumbers(text, firstLine, this.#cut, 2, lineIndex);
    const nums = new Array<number>(this.count);
    for (let n = firstLine, d = 0, k = 0; k < nums.length; n++) {
      if (n === dropped[d]) d++;
      else nums[k++] = n;
    }
    return (this.#nums = nums);
  }
}

/** Compile a user pattern, turning a bad one into a usage error naming the pattern. */
export function compileUserPattern(pattern: string, where: string): RegExp {
  try {
    return compilePattern(pattern);
  } catch (err) {
    if (err instanceof PatternError) {
      throw new UsageError(`${where}: ${err.message}`, {
        hint:
          "quote the pattern and escape regex characters, e.g. --filter 'ERROR|WARN' or 'x\\[1\\]'",
      });
    }
    throw err;
  }
}

/**
 * One regex for many: each pattern a group with its own modifiers, so that a line is scanned
 * once however many patterns there are. A pattern with Unicode properties (`u`) makes the whole
 * combination Unicode-aware; one that is not valid that way is named.
 */
function combine(regexes: RegExp[], extraFlags: string): RegExp | undefined {
  if (regexes.length === 0) return undefined;
  const unicode = regexes.some((r) => r.unicode);
  const parts = regexes.map((r) => {
    const mods = [...r.flags].filter((f) => "ims".includes(f)).join("");
    return mods ? `(?${mods}:${r.source})` : `(?:${r.source})`;
  });
  return new RegExp(parts.join("|"), extraFlags + (unicode ? "u" : ""));
}

/** Refuse a pattern that cannot join a Unicode-aware combination (`\-` is an error there). */
function checkUnicodeSafe(r: RegExp): void {
  try {
    new RegExp(r.source, "u");
  } catch {
    throw new UsageError(
      `pattern ${quotePattern(r.source)} cannot be combined with a Unicode pattern (\\p{…})`,
      { hint: "escape only regex characters in it (e.g. \\. but not \\-), or drop the \\p{…}" },
    );
  }
}

/** A set of filters applied to every line of a stream. */
export class LineFilter {
  #includes: RegExp[] = [];
  #excludes: RegExp[] = [];
  #highlights: NamedFilter[] = [];
  /** The highlights' regexes as cheaper testers of the same lines (see matchTester). */
  #testers: RegExp[] = [];
  #inc?: LineScan; // includes combined
  #exc?: LineScan; // excludes combined (over a whole chunk when there is no include)
  /** Filters were added since the combined regexes were built. */
  #stale = false;
  /** What {@link preselect} gives for the current includes (null: nothing). */
  #pre?: Preselect | null;
  /** An include or exclude uses Unicode properties: the combinations are Unicode-aware. */
  #unicode = false;

  /** Add a filter (combined with the others when next used: adding n costs O(n), not O(n²)). */
  add(filter: NamedFilter): void {
    if (filter.action !== "highlight") {
      if (filter.regex.unicode && !this.#unicode) {
        [...this.#includes, ...this.#excludes].forEach(checkUnicodeSafe);
        this.#unicode = true;
      } else if (this.#unicode) checkUnicodeSafe(filter.regex);
    }
    if (filter.action === "include") this.#includes.push(filter.regex);
    else if (filter.action === "exclude") this.#excludes.push(filter.regex);
    // An excluded line is never shown, so only includes and highlights can color one.
    const colors = filter.action !== "exclude" &&
      (filter.highlight ?? filter.action === "highlight");
    if (colors) {
      this.#highlights.push(filter);
      this.#testers.push(matchTester(filter.regex));
    }
    if (filter.action !== "highlight") this.#stale = true;
  }

  #combine(): void {
    if (!this.#stale) return;
    this.#stale = false;
    const inc = combine(this.#includes, "");
    this.#inc = inc && new LineScan(inc);
    this.#pre = undefined;
    const exc = combine(this.#excludes, "");
    this.#exc = exc && new LineScan(exc);
  }

  /** Copy this filter set (for a stream that gets its own extra filters). */
  clone(): LineFilter {
    this.#combine();
    const f = new LineFilter();
    f.#includes = [...this.#includes];
    f.#excludes = [...this.#excludes];
    f.#highlights = [...this.#highlights];
    f.#testers = [...this.#testers];
    f.#inc = this.#inc;
    f.#exc = this.#exc;
    f.#unicode = this.#unicode;
    return f;
  }

  /** Whether any include or exclude is set (highlights do not drop lines). */
  get selective(): boolean {
    this.#combine();
    return this.#inc !== undefined || this.#exc !== undefined;
  }

  /** The highlight filters, in order. */
  get highlights(): readonly NamedFilter[] {
    return this.#highlights;
  }

  /** Whether one line passes the include/exclude filters. */
  test(line: string): boolean {
    this.#combine();
    if (this.#inc && !this.#inc.line.test(line)) return false;
    if (this.#exc && this.#exc.line.test(line)) return false;
    return true;
  }

  /** Names of highlight filters matching a line. */
  highlightsOf(line: string): string[] | undefined {
    let out: string[] | undefined;
    const testers = this.#testers;
    for (let i = 0; i < testers.length; i++) {
      if (testers[i].test(line)) (out ??= []).push(this.#highlights[i].name);
    }
    return out;
  }

  /**
   * The strings the includes are made of, when a line passes them exactly when it holds one
   * (`ERROR|WARN`, `(?i)error`; ASCII only): a source may then hand on only those lines (see
   * LineBatch.preselected), to a consumer that takes nothing but this filter's selection.
   */
  preselect(): Preselect | undefined {
    this.#combine();
    if (this.#pre === undefined) {
      const alts = this.#inc?.alternatives;
      this.#pre = alts && lookable(alts.map((a) => a.text))
        ? {
          key: `${this.#inc!.line.source}/${this.#inc!.line.flags}`,
          strings: alts.map((a) => a.text),
          caseless: alts.map((a) => a.caseless),
          pattern: this.#inc!.line,
        }
        : null;
    }
    return this.#pre ?? undefined;
  }

  /** Select the lines of a batch that pass. */
  select(batch: LineBatch): Selection {
    if (batch.preselected) return this.#selectPreselected(batch, batch.preselected);
    if (!this.selective) return ALL;
    const text = batch.text;
    const exc = this.#exc?.line;
    if (this.#inc) {
      const picked = new Picked(text, batch.firstLine, batch.lineIndex);
      this.#inc.forEach(text, (line, start) => {
        if (!exc || !exc.test(line)) picked.add(line, start);
      });
      return picked;
    }
    // Excludes only: the text less the lines they match.
    return new Kept(batch, this.#exc!);
  }

  /** The lines a source picked out for these includes (never for others: none would be seen). */
  #selectPreselected(
    batch: LineBatch,
    pre: NonNullable<LineBatch["preselected"]>,
  ): Selection {
    if (pre.key !== this.preselect()?.key) {
      throw new Error(`lines picked out for "${pre.key}" reached a filter without that include`);
    }
    const all = new Preselected(pre.text, batch.firstLine, pre.at);
    const exc = this.#exc?.line;
    if (!exc) return all;
    const lines: string[] = [];
    const nums: number[] = [];
    all.lines.forEach((line, i) => {
      if (exc.test(line)) return;
      lines.push(line);
      nums.push(all.nums[i]);
    });
    return { all: false, lines, nums };
  }
}
