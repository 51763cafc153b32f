/**
 * The bundle's second pass (scripts/bundle_merge.ts) on a small first-pass output written by hand
 * in esbuild's shape: chunks merged into the packs that always load them, every import of them
 * pointed at the pack, one instance of each module's state, live bindings kept, the worker's
 * chunks left apart.
 */
import { assert, assertEquals } from "../../_helpers/assert.ts";
import { closureOf, exportsOf, importsOf, mergeChunks } from "../../../scripts/bundle_merge.ts";
import { esbuild } from "../../../scripts/bundle.ts";

const FILES: Record<string, string> = {
  "front.js": 'import{a as x}from"./chunk-A.js";import"./chunk-S.js";var f=()=>x();export{f};\n',
  // State and a live binding: `b` changes when `c` is called.
  "chunk-A.js":
    "var n=0;function a(){return++n}var v=1;function s(){v=2}export{a,v as b,s as c};\n",
  "chunk-S.js": "globalThis.__mergeSideEffects=(globalThis.__mergeSideEffects??0)+1;\n",
  "engine.js":
    'import{a as y,b as bb}from"./chunk-A.js";import{z}from"./chunk-B.js";import{w}from"./chunk-W.js";var e=()=>[y(),bb,z,w];export{e};\n',
  "chunk-B.js": "var q=5;export{q as z};\n",
  "chunk-W.js": "var w=7;export{w};\n",
  "worker.js": 'import{w as k}from"./chunk-W.js";var g=k;export{g};\n',
  // Another pack: loads after the front (and maybe the engine), imports their chunks.
  "other.js":
    'import{a,b,c}from"./chunk-A.js";import{z}from"./chunk-B.js";var o={a,get b(){return b},c,z};export{o};\n',
};

Deno.test("bundle merge: the helpers read esbuild's minified imports and exports", () => {
  assertEquals(importsOf(FILES["engine.js"]), ["chunk-A.js", "chunk-B.js", "chunk-W.js"]);
  assertEquals(importsOf(FILES["front.js"]), ["chunk-A.js", "chunk-S.js"]);
  assertEquals(exportsOf(FILES["chunk-A.js"]), ["a", "b", "c"]);
  assertEquals(exportsOf(FILES["chunk-S.js"]), []);
});

Deno.test("bundle merge: packs take their chunks, other files import them from the packs", async () => {
  const dir = await Deno.makeTempDir({ prefix: "s9s-merge-" });
  try {
    for (const [name, text] of Object.entries(FILES)) {
      await Deno.writeTextFile(`${dir}/${name}`, text);
    }
    await mergeChunks({
      dir,
      packs: ["front.js", "engine.js"],
      apart: ["worker.js"],
      bundle: async (entry, outdir, kept) => {
        const r = await esbuild([`--external=${kept}*`, `--outdir=${outdir}`, entry], true);
        assert(r.success, new TextDecoder().decode(r.stderr));
      },
    });
    const left = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".js"));
    assertEquals(left.sort(), ["chunk-W.js", "engine.js", "front.js", "other.js", "worker.js"]);
    assertEquals([...closureOf(dir, "front.js")], ["front.js"]);
    assertEquals([...closureOf(dir, "engine.js")].sort(), ["chunk-W.js", "engine.js", "front.js"]);
    const url = (f: string) => new URL(`file://${dir}/${f}`).href;
    const front = await import(url("front.js"));
    const engine = await import(url("engine.js"));
    const other = await import(url("other.js"));
    // One counter, whichever pack calls it; the side effect ran once.
    assertEquals([front.f(), engine.e()[0], other.o.a()], [1, 2, 3]);
    assertEquals((globalThis as Record<string, unknown>).__mergeSideEffects, 1);
    assertEquals([engine.e()[1], other.o.b, other.o.z, engine.e()[3]], [1, 1, 5, 7]);
    other.o.c(); // the binding is live through the merge
    assertEquals(other.o.b, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
