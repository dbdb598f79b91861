/** The CSV writer's rules by table, and by property: any cell survives a round trip through an RFC 4180 reader. */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { type CsvDelimiter, csvField, csvRow, delimiterOf, delimiterOfTimeZone } from "../../src/export/csv.ts";

function readRow(line: string, delimiter: string): string[] {
  const out: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) out.push(field), (field = "");
    else field += ch;
  }
  out.push(field);
  return out;
}

describe("csvField", () => {
  test.each<[string | number | boolean | null, CsvDelimiter, string]>([
    ["Jürgen", ",", "Jürgen"],
    ["Müller, Jürgen", ",", '"Müller, Jürgen"'],
    ["Müller, Jürgen", ";", "Müller, Jürgen"],
    ["a;b", ";", '"a;b"'],
    ["a;b", ",", "a;b"],
    ['say "hi"', ",", '"say ""hi"""'],
    ["two\nlines", ";", '"two\nlines"'],
    ["=1+2", ",", "'=1+2"],
    ["+49 30", ",", "'+49 30"],
    ["-1", ",", "'-1"],
    ["@SUM(A1)", ",", "'@SUM(A1)"],
    ["\t=1", ",", "'\t=1"],
    ['=HYPERLINK("x")', ",", `"'=HYPERLINK(""x"")"`],
    [-1, ",", "-1"],
    [true, ";", "true"],
    [null, ",", ""],
  ])("%p with %p → %p", (value, delimiter, expected) => {
    expect(csvField(value, delimiter)).toBe(expected);
  });
});

test("delimiterOf takes , ; comma semicolon, falls back to the site's, refuses the rest", () => {
  expect([delimiterOf(undefined, ";"), delimiterOf("", ","), delimiterOf("semicolon", ","), delimiterOf("Comma", ";"), delimiterOf(";", ","), delimiterOf("tab", ",")]).toEqual([
    ";", ",", ";", ",", ";", null,
  ]);
});

test("any row reads back cell for cell; formula-like text only gains its leading '", () => {
  fc.assert(
    fc.property(fc.array(fc.string({ unit: "grapheme" }), { minLength: 1, maxLength: 6 }), fc.constantFrom<CsvDelimiter>(",", ";"), (cells, delimiter) => {
      const line = csvRow(cells, delimiter);
      expect(line.endsWith("\r\n")).toBe(true);
      const back = readRow(line.slice(0, -2), delimiter);
      expect(back).toEqual(cells.map((c) => (/^[=+\-@\t\r]/.test(c) ? `'${c}` : c)));
    }),
    { numRuns: 500 },
  );
});

test("the delimiter a site's spreadsheets expect, from its time zone: semicolon where a decimal comma is written", () => {
  const zones = ["Europe/Berlin", "Europe/Paris", "Europe/Zurich", "Europe/Moscow", "America/Sao_Paulo", "America/Argentina/Cordoba", "Europe/London", "Europe/Dublin", "Europe/Malta", "America/New_York", "America/Mexico_City", "Asia/Tokyo", "UTC"];
  expect(zones.map(delimiterOfTimeZone)).toEqual([";", ";", ";", ";", ";", ";", ",", ",", ",", ",", ",", ",", ","]);
});
