/** A CSV file as import entries: the header names the fields, every other line is one person. */
import { parseCsv } from "./csv.ts";
import { sourceError } from "./errors.ts";
import type { ImportEntry } from "./plan.ts";
import { columnsOf, type ImportField } from "./record.ts";

/** CSV uploads are people lists: a few MB covers a large site. */
export const MAX_CSV_BYTES = 20 * 1024 * 1024;

export function csvEntries(text: string): ImportEntry[] {
  const [header, ...rows] = parseCsv(text);
  if (!header) throw sourceError("the file is empty");
  const { columns, missing } = columnsOf(header.fields);
  if (missing.length > 0) throw sourceError(`line ${header.line}: no ${missing.join(" or ")} column (header: ${header.fields.join(", ")})`);
  return rows.map((row) => {
    const data: Partial<Record<ImportField, string>> = {};
    for (const [field, i] of Object.entries(columns) as Array<[ImportField, number]>) data[field] = row.fields[i]?.trim() ?? "";
    return { origin: row.line, data };
  });
}
