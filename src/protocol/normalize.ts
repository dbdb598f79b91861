/**
 * Vendor firmware pads keys and string values with spaces (`"ret":" getuserinfo "`).
 * Every inbound frame goes through this before any schema sees it.
 */
export function normalize(value: unknown): unknown {
  if (typeof value === "string") return value.trim();
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k.trim()] = normalize(v);
    return out;
  }
  return value;
}
