/**
 * Print README's key table, made from the TUI's key tables (the same data the status line and
 * the `?` help come from): `deno run scripts/keys_md.ts`.
 * @module
 */
import { keysMarkdown } from "../src/tui/model/key_table.ts";
import { KEY_SECTIONS } from "../src/tui/views/global_keys.ts";

if (import.meta.main) console.log(keysMarkdown(KEY_SECTIONS));
