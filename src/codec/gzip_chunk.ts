/**
 * Gzip members that carry their own metadata. Each member is a complete, standard gzip member
 * (RFC 1952), so a file of concatenated members is a valid gzip file that `gunzip` reads. The
 * header's FEXTRA field holds subfield "S9": the deflate length (to find the next member without
 * inflating) and a small JSON object (line numbers, times). Shared by the buffer's compressed
 * chunks, its spill files and the history files.
 * @module
 */
import type zlibTypes from "node:zlib";

type Zlib = typeof zlibTypes;
let zlibModule: Zlib | undefined;
/**
 * Native zlib, loaded on first use: a stream that never compresses (the default `s9s stream`)
 * does not pay for Node's zlib at start-up.
 */
function zlib(): Zlib {
  return zlibModule ??= (globalThis as unknown as {
    process: { getBuiltinModule(id: string): unknown };
  }).process.getBuiltinModule("node:zlib") as Zlib;
}

/** A compression level fflate accepts. */
export type Level = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;

/** Clamp any number to a valid compression level. */
export function toLevel(n: number): Level {
  return Math.max(0, Math.min(9, Math.round(n))) as Level;
}

/** The CRC-32 table for `bits` bits at a time (2^bits entries). */
function makeCrcTable(bits: 4 | 8): Int32Array {
  const t = new Int32Array(1 << bits);
  for (let n = 0; n < t.length; n++) {
    let c = n;
    for (let k = 0; k < bits; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
}

let crcTable_: Int32Array | undefined;
/** The CRC-32 table for whole bytes, built on first use (not at start-up). */
function crcTable(): Int32Array {
  return crcTable_ ??= makeCrcTable(8);
}

/** CRC-32 (the gzip trailer's checksum); native zlib's when the runtime has it. */
export function crc32(data: Uint8Array): number {
  const nativeCrc32 = (zlib() as unknown as { crc32?: (d: Uint8Array) => number }).crc32;
  if (nativeCrc32) return nativeCrc32(data) >>> 0;
  return crc32js(data);
}

let nibbleTable_: Int32Array | undefined;
/** The CRC-32 table for half bytes: 16 entries, a sixteenth of the full table's making. */
function nibbleTable(): Int32Array {
  return nibbleTable_ ??= makeCrcTable(4);
}

/** Below this many bytes, a CRC goes half a byte at a time until the full table exists. */
const SMALL_CRC = 4096;

/** CRC-32 in plain JavaScript (the fallback, and the tests' reference). */
export function crc32js(data: Uint8Array): number {
  // A short session's one small member: making the full table (2,048 steps, run once by the
  // interpreter, ≈ 0.5 ms) would cost more than the sum itself.
  if (crcTable_ === undefined && data.length < SMALL_CRC) return crc32ByNibble(data);
  const table = crcTable();
  let c = -1;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 255] ^ (c >>> 8);
  return ~c >>> 0;
}

/** CRC-32 half a byte at a time (a 16-entry table): {@link crc32js} for small data. */
export function crc32ByNibble(data: Uint8Array): number {
  const t = nibbleTable();
  let c = -1;
  for (let i = 0; i < data.length; i++) {
    c ^= data[i];
    c = t[c & 15] ^ (c >>> 4);
    c = t[c & 15] ^ (c >>> 4);
  }
  return ~c >>> 0;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Compress `data` into one gzip member with `meta` in its header. */
export function encodeMember(data: Uint8Array, meta: unknown, level: Level): Uint8Array {
  // Native zlib: two to three times fflate's speed here (raw deflate, the member is ours).
  return encodeMemberJson(data, JSON.stringify(meta), level);
}

/** {@link encodeMember} with the metadata already as JSON text (cheap to pass to a worker). */
export function encodeMemberJson(data: Uint8Array, metaJson: string, level: Level): Uint8Array {
  const deflated: Uint8Array = zlib().deflateRawSync(data, { level });
  return frameMember(deflated, data, metaJson, crc32(data));
}

/**
 * Compress `data` into one gzip member with the runtime's CompressionStream (default level):
 * for small members, where loading Node's zlib or starting a worker would cost more than the
 * compression itself.
 */
export async function encodeMemberAsync(data: Uint8Array, meta: unknown): Promise<Uint8Array> {
  // A Blob refuses shared memory (the history writer's members are there): a copy then.
  const own = data.buffer instanceof SharedArrayBuffer ? data.slice() : data;
  const stream = new Blob([own as BlobPart]).stream().pipeThrough(
    new CompressionStream("deflate-raw"),
  );
  const deflated = new Uint8Array(await new Response(stream).arrayBuffer());
  return frameMember(deflated, data, JSON.stringify(meta), crc32js(data));
}

/**
 * One gzip member holding `data` in stored (uncompressed) deflate blocks: no compressor at all.
 * For tiny members, where deflate saves a few hundred bytes and loading any compressor costs
 * more time than the whole rest of a short session.
 */
export function storeMember(data: Uint8Array, meta: unknown): Uint8Array {
  const blocks = Math.max(1, Math.ceil(data.length / 0xffff));
  const out = new Uint8Array(data.length + 5 * blocks);
  let o = 0;
  for (let b = 0; b < blocks; b++) {
    const start = b * 0xffff;
    const len = Math.min(0xffff, data.length - start);
    out[o] = b === blocks - 1 ? 1 : 0; // BFINAL, BTYPE 00 (stored), padded to the byte
    out[o + 1] = len & 0xff;
    out[o + 2] = len >>> 8;
    out[o + 3] = ~len & 0xff;
    out[o + 4] = (~len >>> 8) & 0xff;
    out.set(data.subarray(start, start + len), o + 5);
    o += 5 + len;
  }
  return frameMember(out, data, JSON.stringify(meta), crc32js(data));
}

/**
 * The same member with other metadata: its deflate data, CRC and size are kept (no second
 * compression). `member` must be one whole member as {@link encodeMemberJson} makes them.
 */
export function reframeMember(member: Uint8Array, meta: unknown): Uint8Array {
  const v = new DataView(member.buffer, member.byteOffset, member.byteLength);
  const head = 12 + v.getUint16(10, true);
  const end = member.length - 8;
  return frameMember(
    member.subarray(head, end),
    v.getUint32(end + 4, true),
    JSON.stringify(meta),
    v.getUint32(end, true),
  );
}

function frameMember(
  deflated: Uint8Array,
  data: Uint8Array | number,
  metaJson: string,
  crc: number,
): Uint8Array {
  const size = typeof data === "number" ? data : data.length;
  const json = enc.encode(metaJson);
  const subLen = 4 + json.length;
  if (subLen > 0xffff - 4) throw new RangeError("gzip member metadata is too large");
  const xlen = 4 + subLen;
  const head = 10 + 2 + xlen;
  const out = new Uint8Array(head + deflated.length + 8);
  const v = new DataView(out.buffer);
  out.set([0x1f, 0x8b, 8, 0x04], 0); // magic, deflate, FLG.FEXTRA
  v.setUint32(4, Math.floor(Date.now() / 1000), true);
  out[8] = 0;
  out[9] = 3; // OS: Unix
  v.setUint16(10, xlen, true);
  out[12] = 0x53; // 'S'
  out[13] = 0x39; // '9'
  v.setUint16(14, subLen, true);
  v.setUint32(16, deflated.length, true);
  out.set(json, 20);
  out.set(deflated, head);
  v.setUint32(head + deflated.length, crc, true);
  v.setUint32(head + deflated.length + 4, size >>> 0, true);
  return out;
}

/** One member found in a byte run. */
export interface MemberInfo<M = unknown> {
  /** Offset of the member in the run. */
  offset: number;
  /** Its total length (header + data + trailer). */
  length: number;
  /** Length of the uncompressed data (mod 2^32). */
  size: number;
  /** The JSON metadata from the header (undefined for foreign members). */
  meta: M | undefined;
  /** Offset and length of the deflate data. */
  dataOffset: number;
  dataLength: number;
}

/**
 * The complete members at the start of `bytes`, in order. Stops quietly at the first member that
 * is cut short (a crash mid-write) or not ours; `end` tells how far the good part goes.
 */
export function scanMembers<M = unknown>(
  bytes: Uint8Array,
): { members: MemberInfo<M>[]; end: number } {
  const members: MemberInfo<M>[] = [];
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  while (pos + 20 <= bytes.length) {
    if (bytes[pos] !== 0x1f || bytes[pos + 1] !== 0x8b || bytes[pos + 2] !== 8) break;
    if (!(bytes[pos + 3] & 0x04)) break;
    const xlen = v.getUint16(pos + 10, true);
    if (bytes[pos + 12] !== 0x53 || bytes[pos + 13] !== 0x39) break;
    const subLen = v.getUint16(pos + 14, true);
    const dataLength = v.getUint32(pos + 16, true);
    const dataOffset = pos + 12 + xlen;
    const end = dataOffset + dataLength + 8;
    if (end > bytes.length || subLen < 4 || 4 + subLen > xlen) break;
    let meta: M | undefined;
    try {
      meta = JSON.parse(dec.decode(bytes.subarray(pos + 20, pos + 16 + subLen))) as M;
    } catch {
      break;
    }
    members.push({
      offset: pos,
      length: end - pos,
      size: v.getUint32(end - 4, true),
      meta,
      dataOffset,
      dataLength,
    });
    pos = end;
  }
  return { members, end: pos };
}

/** Inflate one member found by {@link scanMembers}. */
export function inflateMember(bytes: Uint8Array, m: MemberInfo<unknown>): Uint8Array {
  const raw = bytes.subarray(m.dataOffset, m.dataOffset + m.dataLength);
  const out = zlib().inflateRawSync(raw);
  if ((out.length >>> 0) !== m.size) throw new Error("corrupt compressed chunk: size mismatch");
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** Inflate a run of bytes holding exactly one member, returning its text. */
export function decodeMemberText(bytes: Uint8Array): string {
  const { members } = scanMembers(bytes);
  if (members.length !== 1) throw new Error("corrupt compressed chunk");
  return dec.decode(inflateMember(bytes, members[0]));
}
