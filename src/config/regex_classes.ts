/**
 * Character classes written grep/PCRE-style, translated for JavaScript: POSIX bracket classes
 * (`[[:upper:]]`, `[^[:space:][:digit:]]`, ASCII as in the C locale) and Unicode property
 * escapes (`\pL`, `\p{Lu}`, `\p{Han}`, `\P{Greek}`), which need JavaScript's `u` flag.
 * @module
 */

/** POSIX class name → the ranges it stands for inside a JavaScript character class. */
const POSIX: Record<string, string> = {
  alpha: "a-zA-Z",
  digit: "0-9",
  alnum: "a-zA-Z0-9",
  upper: "A-Z",
  lower: "a-z",
  space: " \\t\\n\\r\\f\\v",
  blank: " \\t",
  punct: "!-\\/:-@\\[-`{-~",
  xdigit: "0-9A-Fa-f",
  cntrl: "\\x00-\\x1f\\x7f",
  print: "\\x20-\\x7e",
  graph: "\\x21-\\x7e",
  word: "\\w",
};

/** The result of {@link translateClasses}. */
export interface TranslatedClasses {
  source: string;
  /** A Unicode property escape is used: the pattern needs the `u` flag. */
  unicode: boolean;
}

/** A property name JavaScript knows as it is (`L`, `Lu`, `Script=Han`, `Alphabetic`). */
function knownProperty(name: string): boolean {
  try {
    new RegExp(`\\p{${name}}`, "u");
    return true;
  } catch {
    return false;
  }
}

/**
 * Translate POSIX bracket classes and Unicode property escapes; throws an Error whose message
 * says what is wrong (an unknown class or property) for the caller to report.
 */
export function translateClasses(src: string): TranslatedClasses {
  let out = "";
  let unicode = false;
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === "\\") {
      const next = src[i + 1];
      if (next === "p" || next === "P") {
        let name: string;
        let len: number;
        if (src[i + 2] === "{") {
          const end = src.indexOf("}", i + 3);
          if (end === -1) throw new Error(`unterminated \\${next}{ property`);
          name = src.slice(i + 3, end);
          len = end + 1 - i;
        } else if (src[i + 2] !== undefined) {
          name = src[i + 2]; // \pL: a one-letter category
          len = 3;
        } else {
          throw new Error(`\\${next} needs a property, e.g. \\${next}{L}`);
        }
        // PCRE takes a script by its bare name (\p{Han}); JavaScript wants Script=Han.
        if (!knownProperty(name) && knownProperty(`Script=${name}`)) name = `Script=${name}`;
        if (!knownProperty(name)) throw new Error(`unknown Unicode property "${name}"`);
        out += `\\${next}{${name}}`;
        unicode = true;
        i += len - 1;
        continue;
      }
      out += c + (next ?? "");
      i++;
      continue;
    }
    if (!inClass) {
      if (c === "[") inClass = true;
      out += c;
      continue;
    }
    if (c === "[" && src[i + 1] === ":") {
      const end = src.indexOf(":]", i + 2);
      const name = end === -1 ? undefined : src.slice(i + 2, end);
      if (name !== undefined && /^[a-z]+$/.test(name)) {
        const ranges = POSIX[name];
        if (ranges === undefined) {
          throw new Error(
            `unknown POSIX class "[:${name}:]" (known: ${Object.keys(POSIX).join(", ")})`,
          );
        }
        out += ranges;
        i = end + 1;
        continue;
      }
    }
    if (c === "]") inClass = false;
    out += c;
  }
  return { source: out, unicode };
}
