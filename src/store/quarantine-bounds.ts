/**
 * What the quarantine keeps: it is for an admin to read why something was refused, not an archive
 * of whatever a client cares to send (a 4 MiB frame a second, from a thousand made-up sns). Pure;
 * both engines' write paths apply it.
 */
import { truncateText } from "../lib/truncate.ts";
import type { QuarantineEntry } from "./contract.ts";

/** Characters of raw JSON kept per entry; a longer one is cut and its original size recorded. */
export const QUARANTINE_RAW_MAX = 64 * 1024;
/** Characters of a reason kept (a schema's message may quote the refused value whole). */
export const QUARANTINE_REASON_MAX = 500;
/** Entries kept per terminal: each commit that adds to a terminal's prunes its oldest beyond this. */
export const QUARANTINE_PER_TERMINAL = 1000;

/** The entry as stored: raw cut to QUARANTINE_RAW_MAX, `originalBytes` its UTF-8 size when cut (else null). */
export function boundEntry(e: QuarantineEntry): QuarantineEntry & { originalBytes: number | null } {
  const entry = { ...e, reason: truncateText(e.reason, QUARANTINE_REASON_MAX) };
  if (entry.raw.length <= QUARANTINE_RAW_MAX) return { ...entry, originalBytes: null };
  let end = QUARANTINE_RAW_MAX;
  // Never split a surrogate pair: the stored text stays valid UTF-16 (and UTF-8 in PostgreSQL).
  const last = entry.raw.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return { ...entry, raw: entry.raw.slice(0, end), originalBytes: Buffer.byteLength(entry.raw, "utf8") };
}
