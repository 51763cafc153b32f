/**
 * The `-o, --output-format` option of the commands that print text or JSON.
 * @module
 */
import { Option } from "@commander-js/extra-typings";

/** `-o, --output-format <format>`: "text" (the default) or "json". */
export function outputFormatOption() {
  return new Option("-o, --output-format <format>", "text or json").choices(["text", "json"])
    .default("text");
}
