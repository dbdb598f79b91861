/**
 * Arbitraries that damage real frames the way links and firmware do: bytes cut, inserted,
 * replaced or repeated in the text, and values replaced, dropped or padded inside the JSON.
 */
import fc from "fast-check";

type Edit = { at: number; cut: number; insert: string };

const edit: fc.Arbitrary<Edit> = fc.record({
  at: fc.nat(),
  cut: fc.nat({ max: 8 }),
  insert: fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('"', "{", "}", "[", "]", ",", ":", "\\", "\u0000", "\ud800", " ", "0")),
});

/** The text with 1–5 random edits (cut and/or insert at a position). */
export function mutatedText(text: string): fc.Arbitrary<string> {
  return fc.array(edit, { minLength: 1, maxLength: 5 }).map((edits) =>
    edits.reduce((s, e) => {
      const at = s.length === 0 ? 0 : e.at % (s.length + 1);
      return s.slice(0, at) + e.insert + s.slice(at + e.cut);
    }, text),
  );
}

/** The UTF-8 bytes of the text with 1–5 bytes overwritten (may no longer be valid UTF-8). */
export function mutatedBytes(text: string): fc.Arbitrary<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 5 }).map((flips) => {
    const copy = bytes.slice();
    for (const [at, value] of flips) copy[at % copy.length] = value;
    return copy;
  });
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = Array<string | number>;

function paths(value: Json, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

type JsonEdit = { pick: number; how: "set" | "delete" | "pad-key" | "stringify" | "numeric-string"; value: Json };

function applyEdit(root: Json, e: JsonEdit): Json {
  const all = paths(root).filter((p) => p.length > 0);
  if (all.length === 0) return e.value;
  const path = all[e.pick % all.length] as Path;
  const copy = structuredClone(root);
  let parent: Json = copy;
  for (const key of path.slice(0, -1)) parent = (parent as Record<string | number, Json>)[key] as Json;
  const last = path[path.length - 1] as string | number;
  const container = parent as Record<string | number, Json>;
  const current = container[last] as Json;
  switch (e.how) {
    case "set":
      container[last] = e.value;
      break;
    case "delete":
      if (Array.isArray(container)) container.splice(last as number, 1);
      else delete container[last];
      break;
    case "pad-key":
      if (!Array.isArray(container)) {
        delete container[last];
        container[` ${String(last)} `] = current;
      }
      break;
    case "stringify":
      container[last] = typeof current === "string" ? ` ${current} ` : JSON.stringify(current) ?? "";
      break;
    case "numeric-string":
      container[last] = typeof current === "number" ? String(current) : current;
      break;
  }
  return copy;
}

/** The parsed frame with 1–4 structural edits, serialised again. */
export function mutatedJson(text: string): fc.Arbitrary<string> {
  const root = JSON.parse(text) as Json;
  const jsonEdit: fc.Arbitrary<JsonEdit> = fc.record({
    pick: fc.nat(),
    how: fc.constantFrom("set", "delete", "pad-key", "stringify", "numeric-string"),
    value: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  });
  return fc.array(jsonEdit, { minLength: 1, maxLength: 4 }).map((edits) => JSON.stringify(edits.reduce(applyEdit, root)));
}
