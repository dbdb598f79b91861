/**
 * Vendor firmware pads keys and string values with spaces (`"ret":" getuserinfo "`).
 * Every inbound frame goes through this before any schema sees it. What needs no trimming is
 * returned as it is (most frames: the copy was a measurable share of the ingest path); the input
 * is never modified.
 */

/** No terminal frame nests more than a few levels; JSON.parse accepts far deeper than a recursion can walk. */
export const MAX_DEPTH = 32;

/** The value nests deeper than MAX_DEPTH: a bad frame, not a crash. */
export class TooDeep extends Error {
  override name = "TooDeep";
  constructor() {
    super(`nested deeper than ${MAX_DEPTH} levels`);
  }
}

/**
 * True when the JSON text nests deeper than `max` (strings skipped). JSON.parse of 100,000 levels
 * takes a tenth of a second, so a deep frame is refused before it is parsed. Malformed text is
 * JSON.parse's to refuse; this only counts brackets.
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // To the closing quote: one not preceded by an odd number of backslashes.
      for (;;) {
        const q = text.indexOf('"', i + 1);
        if (q === -1) return false;
        let slashes = 0;
        while (text.charCodeAt(q - 1 - slashes) === 0x5c) slashes++;
        i = q;
        if (slashes % 2 === 0) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

export function normalize(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return value.trim();
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) throw new TooDeep();
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const n = normalize(v, depth + 1);
      if (out === null && n !== v) out = value.slice(0, i);
      out?.push(n);
    }
    return out ?? value;
  }
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  const values = keys.map((k) => normalize(object[k], depth + 1));
  // "__proto__" is rebuilt too: assigning it (as the copy does) is not an own key.
  const same = keys.every((k, i) => k !== "__proto__" && k.trim() === k && values[i] === object[k]);
  if (same) return value;
  const out: Record<string, unknown> = {};
  keys.forEach((k, i) => {
    out[k.trim()] = values[i];
  });
  return out;
}
