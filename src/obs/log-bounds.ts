/**
 * Log fields carry what terminals send (an sn, a reason quoting the value it refused, a command
 * name): with 4 MiB frames an unbounded field is a 4 MB log line. Pure: bounds one line's fields.
 */
import { truncateText } from "../lib/truncate.ts";

/** Characters kept of one string value; the rest is replaced by a count. */
export const MAX_LOG_VALUE_CHARS = 300;
/** Characters of one line's fields together, at most (about 4 KB). */
export const MAX_LOG_FIELDS_CHARS = 4000;
const MAX_ITEMS = 20;
const MAX_DEPTH = 4;

function bound(value: unknown, depth: number): unknown {
  if (typeof value === "string") return truncateText(value, MAX_LOG_VALUE_CHARS);
  // Errors go to pino's serializer as they are (our own messages and stacks).
  if (value === null || typeof value !== "object" || value instanceof Error) return value;
  if (depth >= MAX_DEPTH) return "[nested too deep]";
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((v) => bound(v, depth + 1));
    if (value.length > MAX_ITEMS) items.push(`…[${value.length - MAX_ITEMS} more items]`);
    return items;
  }
  const out: Record<string, unknown> = {};
  const keys = Object.keys(value);
  for (const k of keys.slice(0, MAX_ITEMS)) out[truncateText(k, 60)] = bound((value as Record<string, unknown>)[k], depth + 1);
  if (keys.length > MAX_ITEMS) out["…"] = `${keys.length - MAX_ITEMS} more keys`;
  return out;
}

/** pino's `formatters.log`: every value bounded, and fields beyond the line's budget named, not written. */
export function boundLogFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const dropped: string[] = [];
  let used = 0;
  for (const [k, v] of Object.entries(fields)) {
    const b = bound(v, 0);
    const size = b instanceof Error ? 0 : (JSON.stringify(b)?.length ?? 0) + k.length;
    if (used + size > MAX_LOG_FIELDS_CHARS) {
      dropped.push(truncateText(k, 60));
      continue;
    }
    used += size;
    out[k] = b;
  }
  if (dropped.length > 0) out.fieldsDropped = dropped.slice(0, MAX_ITEMS);
  return out;
}
