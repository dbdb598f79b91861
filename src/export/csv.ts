/**
 * The one CSV writer for every export an admin opens in a spreadsheet (attendance, door events,
 * people). Excel is the reader that matters: it needs the UTF-8 BOM to read "Jürgen" as UTF-8,
 * the delimiter of the user's locale (semicolon where the decimal separator is a comma), and
 * protection from cells it would run as formulas.
 */
import { z } from "zod";

export const CSV_DELIMITERS = [",", ";"] as const;
export type CsvDelimiter = (typeof CSV_DELIMITERS)[number];
export const csvDelimiterSchema = z.enum(CSV_DELIMITERS);

export type CsvCell = string | number | boolean | null;

/** Written once at the start of a file: without it Excel reads UTF-8 as the local code page. */
export const UTF8_BOM = "\uFEFF";

/**
 * RFC 4180 field. A text cell starting with = + - @ (or a tab/CR that Excel skips before one) is
 * prefixed with ' so a spreadsheet shows it rather than running it; numbers stay numbers.
 */
export function csvField(value: CsvCell, delimiter: CsvDelimiter): string {
  if (value === null) return "";
  let s = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  const special = delimiter === ";" ? /[";\r\n]/ : /[",\r\n]/;
  return special.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csvRow(values: readonly CsvCell[], delimiter: CsvDelimiter): string {
  return `${values.map((v) => csvField(v, delimiter)).join(delimiter)}\r\n`;
}

/** The first chunk of a file: BOM and header row. */
export function csvHead(columns: readonly string[], delimiter: CsvDelimiter): string {
  return UTF8_BOM + csvRow(columns, delimiter);
}

/** `delimiter=` from a request (`,` `;` or the words comma/semicolon), else the site's setting. */
export function delimiterOf(requested: string | undefined, siteDefault: CsvDelimiter): CsvDelimiter | null {
  if (requested === undefined || requested === "") return siteDefault;
  const named: Record<string, CsvDelimiter> = { ",": ",", ";": ";", comma: ",", semicolon: ";" };
  return named[requested.toLowerCase()] ?? null;
}

/** Europe's zones where Excel separates with a comma (the UK, Ireland, Gibraltar, Malta: a decimal point). */
const COMMA_IN_EUROPE = new Set(["Europe/London", "Europe/Belfast", "Europe/Dublin", "Europe/Isle_of_Man", "Europe/Jersey", "Europe/Guernsey", "Europe/Gibraltar", "Europe/Malta"]);
/** South America's zones of countries writing a decimal comma (Argentina, Brazil, Chile, Colombia, Uruguay). */
const SEMICOLON_IN_AMERICA = /^America\/(Argentina\/.+|Buenos_Aires|Sao_Paulo|Santiago|Bogota|Montevideo)$/;

/**
 * The delimiter a site's spreadsheets expect, from where its time zone puts it (the site's only
 * locale setting): semicolon where the decimal separator is a comma, else comma. The default until
 * an admin chooses one in Settings → Site.
 */
export function delimiterOfTimeZone(tz: string): CsvDelimiter {
  return (tz.startsWith("Europe/") && !COMMA_IN_EUROPE.has(tz)) || SEMICOLON_IN_AMERICA.test(tz) ? ";" : ",";
}
