/**
 * The shape check for our answers against the answers a real unit accepted: same `ret` and
 * `result`, and every field the unit saw, present with the same JSON type (extra fields are fine:
 * the unit ignores unknown fields).
 */
const typeOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

export function shapeDifferences(ours: Record<string, unknown>, accepted: Record<string, unknown>, optional: string[] = []): string[] {
  const diffs: string[] = [];
  for (const key of ["ret", "result"]) {
    if (ours[key] !== accepted[key]) diffs.push(`${key}: ${JSON.stringify(ours[key])} vs ${JSON.stringify(accepted[key])}`);
  }
  for (const [key, value] of Object.entries(accepted)) {
    if (!(key in ours)) {
      if (!optional.includes(key)) diffs.push(`${key}: missing`);
    } else if (typeOf(ours[key]) !== typeOf(value)) {
      diffs.push(`${key}: ${typeOf(ours[key])} vs ${typeOf(value)}`);
    }
  }
  return diffs;
}

/**
 * Fields of captured answers that PROTOCOL.md does not ask for: `nosendlog` appears in the
 * captured reg answer but is not part of the contract (the unit uploads logs without it).
 */
export const NOT_IN_CONTRACT = ["nosendlog"];
