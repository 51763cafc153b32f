import { assertEquals } from "../../_helpers/assert.ts";
import {
  BUNDLE_FORMAT,
  type BundleManifest,
  fileStamp,
  freshBundle,
} from "../../../src/platform/bundle.ts";

/** A root with two sources and a manifest made from them; returns the root ("…/"). */
async function bundledRoot(edit: Partial<BundleManifest> = {}): Promise<string> {
  const root = `${await Deno.makeTempDir({ prefix: "s9s-bundle-unit-" })}/`;
  await Deno.mkdir(`${root}src/cli`, { recursive: true });
  await Deno.mkdir(`${root}dist/bundle/b1`, { recursive: true });
  await Deno.writeTextFile(`${root}src/a.ts`, "export const a = 1;\n");
  await Deno.writeTextFile(`${root}src/cli/b.ts`, "export const b = 2;\n");
  const files = ["src/a.ts", "src/cli/b.ts"].map((f) =>
    [f, ...fileStamp(`${root}${f}`)!] as [string, number, number]
  );
  const manifest = { format: BUNDLE_FORMAT, id: "b1", deno: Deno.version.deno, files, ...edit };
  await Deno.writeTextFile(`${root}dist/bundle/current.json`, JSON.stringify(manifest));
  return root;
}

Deno.test("freshBundle names the build while every source is as recorded", async () => {
  const root = await bundledRoot();
  try {
    assertEquals(freshBundle(root), `${root}dist/bundle/b1/`);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("freshBundle refuses a bundle whose sources changed, went or are not its own", async () => {
  const cases: [string, (root: string) => Promise<void>, Partial<BundleManifest>?][] = [
    ["a new time", (r) => Deno.utime(`${r}src/a.ts`, new Date(), new Date(Date.now() + 5000))],
    ["a new size", (r) => Deno.writeTextFile(`${r}src/cli/b.ts`, "\n", { append: true })],
    ["a removed file", (r) => Deno.remove(`${r}src/a.ts`)],
    ["no manifest", (r) => Deno.remove(`${r}dist/bundle/current.json`)],
    ["a corrupt manifest", (r) => Deno.writeTextFile(`${r}dist/bundle/current.json`, "{")],
    ["another Deno", async () => {}, { deno: "0.0.1" }],
    ["another format", async () => {}, { format: BUNDLE_FORMAT + 1 }],
    ["an id outside the bundle folder", async () => {}, { id: "../../x" }],
  ];
  for (const [what, change, edit] of cases) {
    const root = await bundledRoot(edit);
    try {
      await change(root);
      assertEquals(freshBundle(root), undefined, what);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  }
});
