/**
 * Vendor firmware pads keys and string values with spaces (`"ret":" getuserinfo "`).
 * Every inbound frame goes through this before any schema sees it. What needs no trimming is
 * returned as it is (most frames: the copy was a measurable share of the ingest path); the input
 * is never modified.
 */
export function normalize(value: unknown): unknown {
  if (typeof value === "string") return value.trim();
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const n = normalize(v);
      if (out === null && n !== v) out = value.slice(0, i);
      out?.push(n);
    }
    return out ?? value;
  }
  if (value !== null && typeof value === "object") {
    const object = value as Record<string, unknown>;
    const keys = Object.keys(object);
    const values = keys.map((k) => normalize(object[k]));
    // "__proto__" is rebuilt too: assigning it (as the copy does) is not an own key.
    const same = keys.every((k, i) => k !== "__proto__" && k.trim() === k && values[i] === object[k]);
    if (same) return value;
    const out: Record<string, unknown> = {};
    keys.forEach((k, i) => {
      out[k.trim()] = values[i];
    });
    return out;
  }
  return value;
}
