/**
 * The control neutraliser: job output shown on a terminal can colour text, nothing more.
 * SGR sequences (`ESC [ … m`) pass (or are dropped without color); every other control
 * character is shown visibly instead of being obeyed: C0 controls as Control Pictures (`ESC c`
 * becomes `␛c`, so an OSC or DCS shows as `␛]0;title␇`), DEL as `␡`, and 8-bit C1 controls and
 * bidi overrides and isolates as `\u009b`, `\u202e`. Tabs pass. Nothing is removed silently but
 * SGR without color, so what a log tried to do stays readable.
 *
 * {@link escapeJsonControls} does the same job for JSON text, losslessly.
 * @module
 */

// deno-lint-ignore no-control-regex
const RISKY = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
// deno-lint-ignore no-control-regex
const TOKEN = /\x1b\[[0-9;:]*m|[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
const JSON_RISKY = /[\x80-\x9f\u202a-\u202e\u2066-\u2069]/;
const JSON_TOKEN = /[\x80-\x9f\u202a-\u202e\u2066-\u2069]/g;

/** Options for {@link neutralize}. */
export interface NeutralizeOptions {
  /** Keep SGR color sequences (default true); without, they are dropped. */
  keepSgr?: boolean;
}

/** `\u009b`: the visible form of a C1 control or a bidi character. */
function uEscape(c: number): string {
  return "\\u" + c.toString(16).padStart(4, "0");
}

/** The visible stand-in for one control character (not a tab). */
export function visibleControl(ch: string): string {
  const c = ch.charCodeAt(0);
  if (c < 0x20) return String.fromCharCode(0x2400 + c); // ␀ … ␟, ␛ for ESC
  if (c === 0x7f) return "\u2421"; // ␡
  return uEscape(c);
}

/**
 * Make `text` safe to write to a terminal: only SGR reaches it, every other control is shown
 * visibly. Text without any control character is returned as it is (one regex test).
 */
export function neutralize(text: string, options: NeutralizeOptions = {}): string {
  if (!RISKY.test(text)) return text;
  const keepSgr = options.keepSgr ?? true;
  return text.replace(TOKEN, (tok) => {
    if (tok.length > 1) return keepSgr ? tok : ""; // an SGR sequence
    return visibleControl(tok);
  });
}

/**
 * Escape in JSON text what `JSON.stringify` leaves raw but a terminal would obey or reorder:
 * C1 controls (U+0080–U+009F) and bidi overrides and isolates, as `\u…`. Such characters can
 * only stand inside JSON strings, where the escape means the same character: lossless.
 */
export function escapeJsonControls(json: string): string {
  if (!JSON_RISKY.test(json)) return json;
  return json.replace(JSON_TOKEN, (ch) => uEscape(ch.charCodeAt(0)));
}
