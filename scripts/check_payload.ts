/**
 * Check what a `deno compile` output carries, without running it (CI compiles with a stand-in
 * runtime base that cannot run the program; see scripts/compile.ts):
 *
 *   deno task check-payload [dist/s9s]
 *
 * The program lives in the ELF section `.note.sui`: one ELF note named "SUI" whose descriptor
 * holds a named section ("d3n0l4nd") with Deno's standalone data — metadata (JSON), the npm
 * snapshot, specifier, redirect and remote-module tables, the virtual file system (a JSON tree
 * whose files point into one data block) and the magic bytes again at the end. This reads that
 * layout (Deno 2.9) and checks that the entry point, every local module of the graphs of main.ts,
 * of the gzip worker and of each lazily imported module (byte for byte, each transpiled), and neo-blessed's terminfo data
 * (`usr/`, byte for byte, xterm included) are inside, and that the V8 flags are the `s9s` task's.
 * Prints one line per check; exits 1 with the list of what is missing.
 */
import { join, relative } from "node:path";
import { neoBlessedDirs, neoBlessedVersion, s9sRunFlags } from "./compile.ts";
import { LAZY_MODULES } from "../src/platform/lazy_import.ts";

const root = new URL("..", import.meta.url).pathname;
const WORKER = "src/persist/gzip_worker.ts";
const MAGIC = "d3n0l4nd";
const dec = new TextDecoder();

/** A file of the embedded file system: its bytes and whether a transpiled form is stored. */
interface VfsFile {
  data: Uint8Array;
  transpiled: boolean;
}

/** Cursor over little-endian binary data; throws on reading past the end. */
class Reader {
  #view: DataView;
  pos = 0;
  constructor(readonly bytes: Uint8Array) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  take(n: number): Uint8Array {
    if (this.pos + n > this.bytes.length) throw new Error("unexpected end of the payload");
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  u8(): number {
    return this.take(1)[0];
  }
  u16(): number {
    return this.#view.getUint16(this.take(2).byteOffset - this.bytes.byteOffset, true);
  }
  u32(): number {
    return this.#view.getUint32(this.take(4).byteOffset - this.bytes.byteOffset, true);
  }
  u64(): number {
    return Number(this.#view.getBigUint64(this.take(8).byteOffset - this.bytes.byteOffset, true));
  }
  /** Bytes preceded by their length. */
  sized(len: "u32" | "u64"): Uint8Array {
    return this.take(len === "u32" ? this.u32() : this.u64());
  }
}

/** The contents of the ELF section `name`, or undefined. */
export function elfSection(file: Uint8Array, name: string): Uint8Array | undefined {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (dec.decode(file.subarray(1, 4)) !== "ELF" || file[4] !== 2 || file[5] !== 1) {
    throw new Error("not a 64-bit little-endian ELF file");
  }
  const shoff = Number(v.getBigUint64(0x28, true));
  const shentsize = v.getUint16(0x3a, true);
  const shnum = v.getUint16(0x3c, true);
  const shstrndx = v.getUint16(0x3e, true);
  const header = (i: number) => {
    const at = shoff + i * shentsize;
    return {
      name: v.getUint32(at, true),
      offset: Number(v.getBigUint64(at + 0x18, true)),
      size: Number(v.getBigUint64(at + 0x20, true)),
    };
  };
  const strtab = header(shstrndx);
  for (let i = 0; i < shnum; i++) {
    const h = header(i);
    const start = strtab.offset + h.name;
    const end = file.indexOf(0, start);
    if (dec.decode(file.subarray(start, end)) === name) {
      return file.subarray(h.offset, h.offset + h.size);
    }
  }
  return undefined;
}

/** Deno's standalone data inside the `.note.sui` section: metadata and the embedded files. */
export function readPayload(
  section: Uint8Array,
): { metadata: Record<string, unknown>; files: Map<string, VfsFile> } {
  const note = new Reader(section);
  const nameSize = note.u32();
  const descSize = note.u32();
  note.u32(); // note type
  const noteName = dec.decode(note.take(nameSize)).replace(/\0+$/, "");
  if (noteName !== "SUI") throw new Error(`ELF note is named "${noteName}", not "SUI"`);
  note.take((4 - (nameSize % 4)) % 4);
  const desc = new Reader(note.take(descSize));
  const sectionName = dec.decode(desc.take(desc.u16()));
  if (sectionName !== MAGIC) throw new Error(`SUI section is named "${sectionName}"`);

  const r = new Reader(desc.take(desc.bytes.length - desc.pos));
  if (dec.decode(r.take(8)) !== MAGIC) throw new Error("no magic bytes at the start");
  const metadata = JSON.parse(dec.decode(r.sized("u64")));
  r.sized("u64"); // npm snapshot
  for (let n = r.u32(); n > 0; n--) { // specifiers: string, id
    r.sized("u32");
    r.u32();
  }
  for (let n = r.u32(); n > 0; n--) r.take(8); // redirects: id → id
  for (let n = r.u32(); n > 0; n--) { // remote modules: id, media type, data, flags, extras
    r.u32();
    r.u8();
    r.sized("u32");
    const flags = r.u8();
    for (const bit of [1, 2, 4]) if (flags & bit) r.sized("u32");
  }
  const tree = JSON.parse(dec.decode(r.sized("u64")));
  const data = r.sized("u64");
  if (dec.decode(r.take(8)) !== MAGIC) throw new Error("no magic bytes at the end");

  const files = new Map<string, VfsFile>();
  type Entry = {
    Dir?: { n: string; e: Entry[] };
    File?: { n: string; o: [number, number]; m?: [number, number] };
  };
  const walk = (entries: Entry[], prefix: string) => {
    for (const e of entries) {
      if (e.Dir) walk(e.Dir.e, prefix + e.Dir.n + "/");
      if (e.File) {
        const [at, len] = e.File.o;
        files.set(prefix + e.File.n, {
          data: data.subarray(at, at + len),
          transpiled: e.File.m !== undefined,
        });
      }
    }
  };
  walk(tree, "");
  return { metadata, files };
}

/** Local modules (paths relative to the repository) in the graph of `entry`. */
export async function localGraph(entry: string): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: root,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`deno info ${entry} failed`);
  const graph = JSON.parse(dec.decode(out.stdout));
  // Follow only edges that exist at run time: a module reached by `import type` alone is erased
  // by the compiler and rightly absent from the payload.
  type Dep = { code?: { specifier?: string } };
  const byUrl = new Map<string, { dependencies?: Dep[] }>(
    (graph.modules as { specifier: string; dependencies?: Dep[] }[]).map((m) => [m.specifier, m]),
  );
  const seen = new Set<string>();
  const todo: string[] = graph.roots ?? [];
  while (todo.length) {
    const url = todo.pop()!;
    if (seen.has(url) || !url.startsWith("file://")) continue;
    seen.add(url);
    for (const d of byUrl.get(url)?.dependencies ?? []) {
      if (d.code?.specifier) todo.push(d.code.specifier);
    }
  }
  return [...seen].map((u) => relative(root, new URL(u).pathname));
}

async function* walkDir(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) yield* walkDir(path);
    else if (e.isFile) yield path;
  }
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

if (import.meta.main) {
  const binary = Deno.args[0] ?? join(root, "dist/s9s");
  const problems = new Set<string>();
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(binary);
  } catch (err) {
    console.error(`error: cannot read "${binary}": ${(err as Error).message}`);
    console.error(
      err instanceof Deno.errors.NotFound
        ? "hint: build it first with `deno task -q compile` (a stand-in build is dist/s9s-standin)"
        : "hint: check the path and its permissions",
    );
    Deno.exit(1);
  }
  const section = elfSection(bytes, ".note.sui");
  if (!section) {
    console.error(`error: "${binary}" has no .note.sui section`);
    console.error("hint: build it with `deno task compile`");
    Deno.exit(1);
  }
  const { metadata, files } = readPayload(section);

  // Entry point.
  if (metadata.entrypoint_key !== "main.ts") {
    problems.add(`entry point is "${metadata.entrypoint_key}", not "main.ts"`);
  }
  // Every local module of the program and of the worker, as it is on disk, transpiled.
  // The lazily imported modules are entry points of their own (see src/platform/lazy_import.ts).
  const entries = ["main.ts", WORKER, ...LAZY_MODULES];
  const modules = [...new Set((await Promise.all(entries.map(localGraph))).flat())];
  for (const m of new Set([...modules, WORKER])) {
    const f = files.get(m);
    if (!f) problems.add(`module missing: ${m}`);
    else if (!same(f.data, await Deno.readFile(join(root, m)))) {
      problems.add(`module differs from the source: ${m}`);
    } else if (m.endsWith(".ts") && !f.transpiled) problems.add(`module not transpiled: ${m}`);
  }
  // The commit `s9s --version` names (scripts/compile.ts writes it before compiling).
  if (!files.has("src/build_commit.txt")) problems.add("src/build_commit.txt is not embedded");
  if (!modules.includes("main.ts") || !modules.some((m) => m.startsWith("src/"))) {
    problems.add(`the module graph of main.ts looks wrong: ${modules.join(", ")}`);
  }
  // neo-blessed's terminfo data, so the binary needs none on the host.
  const version = await neoBlessedVersion();
  const vfsBlessed = [...files.keys()].find((p) =>
    p.endsWith(`/neo-blessed/${version}/package.json`)
  )
    ?.replace(/package\.json$/, "");
  const [diskBlessed] = await neoBlessedDirs();
  let terminfo = 0;
  if (!vfsBlessed) problems.add(`neo-blessed ${version} is not embedded`);
  else if (!diskBlessed) problems.add(`neo-blessed ${version} is not in Deno's npm cache`);
  else {
    for await (const path of walkDir(join(diskBlessed, "usr"))) {
      const rel = relative(diskBlessed, path);
      const f = files.get(vfsBlessed + rel);
      if (!f) problems.add(`terminfo missing: neo-blessed/${rel}`);
      else if (!same(f.data, await Deno.readFile(path))) {
        problems.add(`terminfo differs: neo-blessed/${rel}`);
      } else terminfo++;
    }
    for (const name of ["usr/xterm", "usr/xterm-256color", "usr/xterm.termcap"]) {
      if (!files.has(vfsBlessed + name)) problems.add(`terminfo missing: neo-blessed/${name}`);
    }
  }
  // The V8 flags and --unsafe-proto of the `s9s` task.
  const want = (await s9sRunFlags()).find((f) => f.startsWith("--v8-flags="))!
    .slice("--v8-flags=".length).split(",");
  const v8 = metadata.v8_flags as string[];
  for (const flag of want) if (!v8.includes(flag)) problems.add(`V8 flag missing: ${flag}`);
  const features = (metadata.unstable_config as { features?: string[] })?.features ?? [];
  if (!features.includes("unsafe-proto")) problems.add("--unsafe-proto is not set");

  if (problems.size) {
    console.error(`error: the payload of "${binary}" is incomplete:`);
    for (const p of problems) console.error(`  - ${p}`);
    Deno.exit(1);
  }
  console.log(
    `payload ok: ${binary}: entry main.ts, ${modules.length} local modules and ${WORKER} ` +
      `(transpiled, identical to the source), ${terminfo} neo-blessed terminfo files, ` +
      `V8 flags ${want.join(",")}, ${files.size} embedded files in all`,
  );
}
