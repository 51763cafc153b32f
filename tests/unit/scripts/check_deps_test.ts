/**
 * The layer check of `deno task lint` sees every way a file can import another: each case
 * here is one the check used to let through.
 */
import { assertEquals, assertMatch } from "../../_helpers/assert.ts";
import { checkDeps } from "../../../scripts/check_deps.ts";

/** The problems of one file at `path` with `text`. */
const check = (path: string, text: string) => checkDeps([{ path, text }]);

Deno.test("check_deps accepts imports that follow the layers", () => {
  assertEquals(
    check(
      "src/engine/x.ts",
      [
        'import { a } from "../core/line_batch.ts";',
        'import type { B } from "../sources/source.ts";',
        'export * from "./stream.ts";',
        'const { F } = await import("../sources/file.ts");',
        "const m = await import(`../cluster/mock.ts`);",
        'import { z } from "zod";',
        'import { join } from "node:path";',
      ].join("\n"),
    ),
    [],
  );
  assertEquals(check("src/tui/views/v.ts", 'import { M } from "../model/jobs_model.ts";'), []);
});

Deno.test("check_deps catches template-literal imports", () => {
  assertMatch(
    check("src/engine/x.ts", "import { runStream } from `../cli/stream.ts`;").join("\n"),
    /engine \(layer 3\) must not import cli \(layer 6\)/,
  );
  assertMatch(
    check("src/engine/x.ts", "const m = await import(`../sinks/text.ts`);").join("\n"),
    /engine \(layer 3\) must not import sinks \(layer 4\)/,
  );
  assertMatch(
    check("src/engine/x.ts", "const m = await import(`../${area}/text.ts`);").join("\n"),
    /not a literal cannot be checked/,
  );
});

Deno.test("check_deps catches dynamic imports, multi-line, in types, or by expression", () => {
  assertMatch(
    check("src/engine/x.ts", 'const m = await import(\n  "../persist/attach.ts"\n);').join("\n"),
    /must not import persist/,
  );
  assertMatch(
    check("src/core/x.ts", 'let e: import("../engine/pipeline.ts").Pipeline;').join("\n"),
    /core \(layer 1\) must not import engine/,
  );
  assertMatch(
    check("src/engine/x.ts", "const m = await import(modulePath);").join("\n"),
    /not a literal cannot be checked/,
  );
});

Deno.test("check_deps catches npm: specifiers and the packages' owners", () => {
  const ssh = check("src/engine/x.ts", 'import { Client } from "npm:ssh2@1.17.0";');
  assertMatch(ssh.join("\n"), /"npm:ssh2@1\.17\.0": import npm packages by their name/);
  assertMatch(ssh.join("\n"), /only src\/sources may import ssh2/);
  assertMatch(
    check("src/cli/x.ts", 'import blessed from "npm:neo-blessed";').join("\n"),
    /only src\/tui\/widgets may import neo-blessed/,
  );
  assertMatch(
    check("src/tui/views/x.ts", 'import blessed from "neo-blessed";').join("\n"),
    /only src\/tui\/widgets may import neo-blessed/,
  );
  assertMatch(
    check("src/sources/x.ts", 'import { z } from "https://esm.sh/zod";').join("\n"),
    /import npm packages by their name/,
  );
});

Deno.test("check_deps keeps src/tui in order: model, then widgets, then views", () => {
  assertMatch(
    check("src/tui/model/m.ts", 'import type { App } from "../views/app.ts";').join("\n"),
    /tui\/model must not import tui\/views/,
  );
  assertMatch(
    check("src/tui/widgets/w.ts", 'import { MonitorView } from "../views/monitor_view.ts";')
      .join("\n"),
    /tui\/widgets must not import tui\/views/,
  );
  assertMatch(
    check("src/tui/model/m.ts", 'import { createBox } from "../widgets/blessed.ts";').join("\n"),
    /tui\/model must not import tui\/widgets/,
  );
});

Deno.test("check_deps names a folder of src/ that has no layer", () => {
  assertMatch(check("src/extra/x.ts", "").join("\n"), /src\/extra: not in any layer/);
});
