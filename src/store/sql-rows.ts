/**
 * A table's rows for the stores written once in SQL both engines read alike, described by its
 * SQLite schema (whose row types the contracts use): its column list, a row read back as that type
 * and values written as columns. What differs between the engines' rows is undone here:
 * PostgreSQL's BIGINT comes back as a string, SQLite's booleans as 1 and 0; TRUE and FALSE are
 * written, which both read.
 */
import { type Column, getTableColumns, type SQL, sql } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Row } from "./sql-runner.ts";
import { bool } from "./sql-values.ts";

function readValue(column: Column, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (column.dataType === "boolean") return v === true || Number(v) === 1;
  if (column.dataType === "number") return Number(v);
  return String(v);
}

const writeValue = (column: Column, v: unknown): unknown => (column.dataType === "boolean" && typeof v === "boolean" ? bool(v) : v);

export interface TableRows<T extends SQLiteTable> {
  /** Every column, in the schema's order: what a row is read from. */
  columns: SQL;
  read(r: Row): T["$inferSelect"];
  /** `(a, b) VALUES (…)` of the values given. */
  insert(values: Partial<T["$inferInsert"]>): SQL;
  /** `a = …, b = …` of the values given (undefined ones left out). */
  set(values: Partial<T["$inferInsert"]>): SQL;
}

export function tableRows<T extends SQLiteTable>(table: T): TableRows<T> {
  const columns = Object.entries(getTableColumns(table)) as [string, Column][];
  const byKey = new Map(columns);
  const given = (values: Partial<T["$inferInsert"]>) =>
    Object.entries(values).flatMap(([key, v]) => {
      const column = byKey.get(key);
      return column && v !== undefined ? [{ name: sql.raw(column.name), value: writeValue(column, v) }] : [];
    });
  return {
    columns: sql.raw(columns.map(([, c]) => c.name).join(", ")),
    // A loop, not Object.fromEntries: pages of 20,000 terminals read through here.
    read: (r) => {
      const row: Record<string, unknown> = {};
      for (const [key, c] of columns) row[key] = readValue(c, r[c.name]);
      return row as T["$inferSelect"];
    },
    insert: (values) => {
      const cols = given(values);
      return sql`(${sql.join(cols.map((c) => c.name), sql`, `)}) VALUES (${sql.join(cols.map((c) => sql`${c.value}`), sql`, `)})`;
    },
    set: (values) => sql.join(given(values).map((c) => sql`${c.name} = ${c.value}`), sql`, `),
  };
}
