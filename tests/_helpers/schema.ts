/**
 * A small checker for the StreamEvent JSON Schema (the subset it uses: type, enum, pattern,
 * minimum, required, additionalProperties, items).
 * @module
 */
const schema = JSON.parse(
  Deno.readTextFileSync(new URL("../../src/core/stream_event.schema.json", import.meta.url)),
);

type S = Record<string, unknown>;

function check(value: unknown, s: S, path: string, errs: string[]): void {
  if (s.enum && !(s.enum as unknown[]).includes(value)) {
    errs.push(`${path}: ${JSON.stringify(value)} not in enum`);
  }
  const t = s.type as string | undefined;
  if (t === "string" && typeof value !== "string") errs.push(`${path}: not a string`);
  if (t === "boolean" && typeof value !== "boolean") errs.push(`${path}: not a boolean`);
  if (t === "integer" && !Number.isInteger(value)) errs.push(`${path}: not an integer`);
  if (t === "array") {
    if (!Array.isArray(value)) errs.push(`${path}: not an array`);
    else value.forEach((v, i) => check(v, s.items as S, `${path}[${i}]`, errs));
  }
  if (typeof s.minimum === "number" && typeof value === "number" && value < s.minimum) {
    errs.push(`${path}: below minimum`);
  }
  if (
    typeof s.pattern === "string" && typeof value === "string" && !new RegExp(s.pattern).test(value)
  ) {
    errs.push(`${path}: ${JSON.stringify(value)} does not match ${s.pattern}`);
  }
  if (t === "object") {
    if (typeof value !== "object" || value === null) {
      errs.push(`${path}: not an object`);
      return;
    }
    const props = s.properties as Record<string, S>;
    for (const r of (s.required as string[]) ?? []) {
      if (!(r in value)) errs.push(`${path}.${r}: missing`);
    }
    for (const [k, v] of Object.entries(value)) {
      if (!props[k]) {
        if (s.additionalProperties === false) errs.push(`${path}.${k}: not allowed`);
        continue;
      }
      check(v, props[k], `${path}.${k}`, errs);
    }
  }
}

/** Problems of one event against the StreamEvent schema (empty when valid). */
export function validateEvent(ev: unknown): string[] {
  const errs: string[] = [];
  check(ev, schema, "event", errs);
  return errs;
}
