import { assert, assertEquals } from "../../_helpers/assert.ts";
import {
  bindKeys,
  findAction,
  helpLines,
  keysMarkdown,
  type KeyTable,
  statusHints,
} from "../../../src/tui/model/key_table.ts";
import { KEY_SECTIONS } from "../../../src/tui/views/global_keys.ts";

const README = new URL("../../../README.md", import.meta.url);

Deno.test("key tables: every action has keys, a label, a description and a handler", () => {
  for (const { where, table } of KEY_SECTIONS) {
    assert(table.length > 0, `${where} has keys`);
    for (const a of table) {
      assert(a.keys.length > 0, `${where}: ${a.label} has keys`);
      assert(a.label.trim() !== "", `${where}: an action of ${a.keys} has a label`);
      assert(a.description.trim() !== "", `${where}: ${a.label} has a description`);
      assertEquals(typeof a.run, "function", `${where}: ${a.label} has a handler`);
    }
  }
});

Deno.test("key tables: no key is bound twice in a view, nor shadowed by a global key", () => {
  const global = KEY_SECTIONS.find((s) => s.where === "everywhere")!;
  const globalKeys = global.table.flatMap((a) => a.keys);
  for (const { where, table } of KEY_SECTIONS) {
    const seen = new Map<string, string>();
    for (const a of table) {
      for (const k of a.keys) {
        assert(!seen.has(k), `${where}: "${k}" is bound to "${seen.get(k)}" and "${a.label}"`);
        seen.set(k, a.label);
        if (table !== global.table) {
          assert(!globalKeys.includes(k), `${where}: "${k}" is shadowed by a global key`);
        }
      }
    }
  }
});

Deno.test("key tables: the help lists every action with its keys and description", () => {
  for (const { where, table } of KEY_SECTIONS) {
    const help = helpLines(table);
    assertEquals(help.length, table.length, `${where}: one help line per action`);
    table.forEach((a, i) => {
      assert(help[i].includes(a.label), `${where}: help shows "${a.label}"`);
      assert(help[i].endsWith(a.description), `${where}: help explains "${a.label}"`);
    });
  }
});

Deno.test("key tables: dispatch runs the matching action; hints follow `when`", () => {
  const ran: string[] = [];
  const target = { busy: false };
  const table: KeyTable<typeof target> = [
    {
      keys: ["up", "down"],
      label: "↑/↓",
      description: "move",
      hint: "move",
      run: (_, k) => ran.push(k),
    },
    { keys: ["N"], label: "N", description: "newer", run: () => ran.push("N") },
    {
      keys: ["C-f"],
      label: "Ctrl+f",
      description: "filter",
      hint: "filter",
      run: () => ran.push("C-f"),
    },
    {
      keys: ["x"],
      label: "x",
      description: "stop",
      hint: "stop",
      when: (t) => t.busy,
      run: () => {},
    },
  ];
  const keys = bindKeys(table, target);
  assert(keys.dispatch(undefined, { name: "down", full: "down" }));
  assert(keys.dispatch("N", { name: "n", full: "S-n", shift: true } as never));
  assert(keys.dispatch("\x06", { name: "f", full: "C-f", ctrl: true }));
  assert(!keys.dispatch("z", { name: "z", full: "z" }), "unbound keys fall through");
  assertEquals(ran, ["down", "N", "C-f"]);
  assertEquals(findAction(table, "n", { name: "n", full: "n" }), undefined, "n is not N");
  assertEquals(statusHints(table, target), "↑/↓ move  Ctrl+f filter");
  target.busy = true;
  assertEquals(statusHints(table, target), "↑/↓ move  Ctrl+f filter  x stop");
});

Deno.test("README's key table is the one scripts/keys_md.ts makes from the key tables", async () => {
  const readme = await Deno.readTextFile(README);
  const start = readme.indexOf("| Where ");
  assert(start >= 0, "README has a key table");
  const end = readme.indexOf("\n\n", start);
  assertEquals(
    readme.slice(start, end),
    keysMarkdown(KEY_SECTIONS),
    "README's key table is stale: paste the output of `deno run scripts/keys_md.ts`",
  );
});
