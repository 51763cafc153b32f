/**
 * Modal widgets that take the keyboard while open: a one-line prompt, a pick list and the help
 * overlay. Each one's `key` returns true when it consumed the key.
 * @module
 */
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
  onClose?: () => void;

  constructor(screen: Screen, options: PromptOptions) {
    this.#opts = options;
    this.#value = options.initial ?? "";
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
    this.#box.setContent(`${this.#opts.label}: ${this.#value}█`);
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
    } else if (name === "backspace") {
      this.#value = [...this.#value].slice(0, -1).join("");
      this.#changed();
    } else if (name === "C-u") {
      this.#value = "";
      this.#changed();
    } else if (ch && !key.ctrl && !key.meta && ch >= " " && ch !== "\x7f") {
      this.#value += ch;
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

/** A centered pick list: ↑/↓/PgUp/PgDn/Home/End, Enter picks, Esc cancels. */
export class Picker<T> implements Modal {
  #box: Box;
  #items: PickItem<T>[];
  #index = 0;
  #onPick: (v: T) => void;
  #closed = false;
  #screen: Screen;
  onClose?: () => void;

  constructor(screen: Screen, title: string, items: PickItem<T>[], onPick: (v: T) => void) {
    this.#screen = screen;
    this.#items = items;
    this.#onPick = onPick;
    const width = Math.min(
      screen.width - 4,
      Math.max(30, ...items.map((i) => i.label.length + 4), title.length + 6),
    );
    const height = Math.min(screen.height - 4, items.length + 2);
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

  #draw(): void {
    const rows = Math.max(1, Math.min(this.#screen.height - 6, this.#items.length));
    const start = Math.max(
      0,
      Math.min(this.#index - Math.floor(rows / 2), this.#items.length - rows),
    );
    const out: string[] = [];
    for (let i = start; i < Math.min(this.#items.length, start + rows); i++) {
      const l = this.#items[i].label;
      out.push(i === this.#index ? `\x1b[7m> ${l}\x1b[0m` : `  ${l}`);
    }
    this.#box.setContent(out.join("\n"));
    this.#box.setFront();
  }

  key(_ch: string | undefined, key: KeyInfo): boolean {
    const n = this.#items.length;
    switch (key.full ?? key.name) {
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
      case "return": {
        this.close();
        const item = this.#items[this.#index];
        if (item) this.#onPick(item.value);
        return true;
      }
    }
    this.#draw();
    return true;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#box.destroy();
    this.onClose?.();
  }
}

/** A help overlay; any key closes it. */
export class HelpOverlay implements Modal {
  #box: Box;
  #closed = false;
  onClose?: () => void;

  constructor(screen: Screen, title: string, lines: string[]) {
    const width = Math.min(screen.width - 2, Math.max(...lines.map((l) => l.length)) + 4);
    const height = Math.min(screen.height - 2, lines.length + 3);
    this.#box = createBox({
      parent: screen,
      left: "center",
      top: "center",
      width,
      height,
      border: "line",
      label: ` ${title} `,
      content: [...lines, "", "Press any key to close"].join("\n"),
      padding: { left: 1, right: 1 },
      style: { border: { fg: "yellow" } },
    });
    this.#box.setFront();
  }

  key(): boolean {
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
