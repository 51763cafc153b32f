/**
 * Modal widgets that take the keyboard while open: a one-line prompt, a pick list and the help
 * overlay. Each one's `key` returns true when it consumed the key.
 * @module
 */
import { helpPage, wrapHelp } from "../model/help_text.ts";
import { type Box, createBox, type KeyInfo, type Screen } from "./blessed.ts";

/** Something that owns the keyboard while open. */
export interface Modal {
  key(ch: string | undefined, key: KeyInfo): boolean;
  close(): void;
}

/** Options for a {@link Prompt}. */
export interface PromptOptions {
  label: string;
  initial?: string;
  /**
   * Show `initial` selected, as a search box does: the first character typed (or Backspace)
   * replaces it, Enter keeps it, → or End keeps it for editing.
   */
  selected?: boolean;
  /** Called on every edit (live filtering). */
  onChange?: (value: string) => void;
  onSubmit: (value: string) => void;
  onCancel?: () => void;
}

/** A one-line text prompt on the screen's second-to-last row. */
export class Prompt implements Modal {
  #box: Box;
  #value: string;
  #opts: PromptOptions;
  #closed = false;
  /** The value is still the selected `initial`. */
  #selected: boolean;
  onClose?: () => void;

  constructor(screen: Screen, options: PromptOptions) {
    this.#opts = options;
    this.#value = options.initial ?? "";
    this.#selected = !!options.selected && this.#value !== "";
    this.#box = createBox({
      parent: screen,
      left: 0,
      bottom: 1,
      height: 1,
      width: "100%",
      style: { fg: "black", bg: "cyan" },
    });
    this.#draw();
  }

  #draw(): void {
    // Selected text in reverse video, the cursor block only once it is being edited.
    this.#box.setContent(
      this.#selected
        ? `${this.#opts.label}: \x1b[7m${this.#value}\x1b[27m`
        : `${this.#opts.label}: ${this.#value}█`,
    );
    this.#box.setFront();
  }

  key(ch: string | undefined, key: KeyInfo): boolean {
    const name = key.full ?? key.name;
    if (name === "escape") {
      this.close();
      this.#opts.onCancel?.();
    } else if (name === "enter" || name === "return") {
      this.close();
      this.#opts.onSubmit(this.#value);
    } else if (this.#selected && (name === "right" || name === "end")) {
      this.#selected = false;
      this.#draw();
    } else if (name === "backspace") {
      this.#value = this.#selected ? "" : [...this.#value].slice(0, -1).join("");
      this.#selected = false;
      this.#changed();
    } else if (name === "C-u") {
      this.#value = "";
      this.#selected = false;
      this.#changed();
    } else if (ch && !key.ctrl && !key.meta && ch >= " " && ch !== "\x7f") {
      this.#value = this.#selected ? ch : this.#value + ch;
      this.#selected = false;
      this.#changed();
    }
    return true;
  }

  #changed(): void {
    this.#draw();
    this.#opts.onChange?.(this.#value);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#box.destroy();
    this.onClose?.();
  }
}

/** One entry of a {@link Picker}. */
export interface PickItem<T> {
  label: string;
  value: T;
}

/** A first row the user types into (a job id that is not in the list). */
export interface PickInput<T> {
  /** Shown while the row is empty and not selected ("Type a job id…"). */
  placeholder: string;
  /** Shown before the typed text ("Job id"). */
  label: string;
  /** The picked value for the typed text. */
  value: (text: string) => T;
}

/** Options for a {@link Picker}. */
export interface PickerOptions<T> {
  input?: PickInput<T>;
}

const NAV_CHARS = new Set(["j", "k", "q"]);

/**
 * A centered pick list: ↑/↓/PgUp/PgDn/Home/End, Enter picks, Esc cancels. With an input row,
 * typing goes into it (from any row but j/k/q, which move or close outside it), and Enter on it
 * picks what was typed; on an empty input row Enter does nothing.
 */
export class Picker<T> implements Modal {
  #box: Box;
  #items: PickItem<T>[];
  #input?: PickInput<T>;
  #text = "";
  #index = 0;
  #onPick: (v: T) => void;
  #closed = false;
  #screen: Screen;
  onClose?: () => void;

  constructor(
    screen: Screen,
    title: string,
    items: PickItem<T>[],
    onPick: (v: T) => void,
    options: PickerOptions<T> = {},
  ) {
    this.#screen = screen;
    this.#items = items;
    this.#input = options.input;
    this.#onPick = onPick;
    const rows = items.length + (this.#input ? 1 : 0);
    const labels = [
      ...items.map((i) => i.label),
      ...(this.#input ? [this.#input.placeholder, `${this.#input.label}: 1234567890_12`] : []),
    ];
    const width = Math.min(
      screen.width - 4,
      Math.max(30, ...labels.map((l) => l.length + 5), title.length + 6),
    );
    const height = Math.min(screen.height - 4, rows + 2);
    this.#box = createBox({
      parent: screen,
      left: "center",
      top: "center",
      width,
      height,
      border: "line",
      label: ` ${title} `,
      style: { border: { fg: "cyan" } },
    });
    this.#draw();
  }

  get #count(): number {
    return this.#items.length + (this.#input ? 1 : 0);
  }

  get #onInput(): boolean {
    return this.#input !== undefined && this.#index === 0;
  }

  #label(i: number): string {
    const input = this.#input;
    if (!input) return this.#items[i].label;
    if (i > 0) return this.#items[i - 1].label;
    if (this.#onInput) return `${input.label}: ${this.#text}█`;
    return this.#text ? `${input.label}: ${this.#text}` : input.placeholder;
  }

  #draw(): void {
    const n = this.#count;
    const rows = Math.max(1, Math.min(this.#screen.height - 6, n));
    const start = Math.max(0, Math.min(this.#index - Math.floor(rows / 2), n - rows));
    const out: string[] = [];
    for (let i = start; i < Math.min(n, start + rows); i++) {
      const l = this.#label(i);
      out.push(i === this.#index ? `\x1b[7m> ${l}\x1b[0m` : `  ${l}`);
    }
    this.#box.setContent(out.join("\n"));
    this.#box.setFront();
  }

  key(ch: string | undefined, key: KeyInfo): boolean {
    const n = this.#count;
    const name = key.full ?? key.name;
    const typed = ch !== undefined && ch.length === 1 && ch >= " " && ch !== "\x7f" &&
      !key.ctrl && !key.meta;
    if (this.#input && typed && (this.#onInput || !NAV_CHARS.has(ch))) {
      this.#index = 0;
      this.#text += ch;
      this.#draw();
      return true;
    }
    if (this.#onInput && (name === "backspace" || name === "C-u")) {
      this.#text = name === "C-u" ? "" : this.#text.slice(0, -1);
      this.#draw();
      return true;
    }
    switch (name) {
      case "up":
      case "k":
        this.#index = Math.max(0, this.#index - 1);
        break;
      case "down":
      case "j":
        this.#index = Math.min(n - 1, this.#index + 1);
        break;
      case "pageup":
        this.#index = Math.max(0, this.#index - 10);
        break;
      case "pagedown":
        this.#index = Math.min(n - 1, this.#index + 10);
        break;
      case "home":
        this.#index = 0;
        break;
      case "end":
        this.#index = n - 1;
        break;
      case "escape":
      case "q":
        this.close();
        return true;
      case "enter":
      case "return":
        this.#pick();
        return true;
    }
    this.#draw();
    return true;
  }

  #pick(): void {
    if (this.#input && this.#onInput) {
      const text = this.#text.trim();
      if (!text) return; // nothing typed yet: keep waiting for the id
      this.close();
      this.#onPick(this.#input.value(text));
      return;
    }
    const item = this.#items[this.#index - (this.#input ? 1 : 0)];
    this.close();
    if (item) this.#onPick(item.value);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#box.destroy();
    this.onClose?.();
  }
}

/** A help overlay: long lines wrap; ↑/↓ PgUp/PgDn scroll when it is taller than the screen; any other key closes it. */
export class HelpOverlay implements Modal {
  #box: Box;
  #rows: string[];
  #top = 0;
  #body: number;
  #closed = false;
  onClose?: () => void;

  constructor(screen: Screen, title: string, lines: string[]) {
    const width = Math.min(
      screen.width - 2,
      Math.max(title.length + 6, ...lines.map((l) => [...l].length)) + 4,
    );
    this.#rows = wrapHelp(lines, width - 4);
    const height = Math.min(screen.height - 2, this.#rows.length + 4);
    this.#body = Math.max(1, height - 4);
    this.#box = createBox({
      parent: screen,
      left: "center",
      top: "center",
      width,
      height,
      border: "line",
      label: ` ${title} `,
      padding: { left: 1, right: 1 },
      style: { border: { fg: "yellow" } },
    });
    this.#draw();
  }

  get #scrolls(): boolean {
    return this.#rows.length > this.#body;
  }

  #draw(): void {
    const page = helpPage(this.#rows, this.#top, this.#body);
    this.#top = page.top;
    const footer = this.#scrolls
      ? `↑/↓ PgUp/PgDn: more (${
        page.top + page.rows.length
      }/${this.#rows.length}) · other keys close`
      : "Press any key to close";
    this.#box.setContent([...page.rows, "", footer].join("\n"));
    this.#box.setFront();
  }

  key(_ch: string | undefined, key: KeyInfo): boolean {
    const step: Record<string, number> = {
      up: -1,
      down: 1,
      pageup: -this.#body,
      pagedown: this.#body,
    };
    const by = step[key.full ?? key.name ?? ""];
    if (this.#scrolls && by !== undefined) {
      this.#top += by;
      this.#draw();
      return true;
    }
    this.close();
    return true;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#box.destroy();
    this.onClose?.();
  }
}
