/**
 * Values as the stores written once in SQL bind and read them. PostgreSQL's BIGINT columns may
 * come back as strings or bigints, its booleans as booleans where SQLite has 1 and 0.
 */
import { type SQL, sql } from "drizzle-orm";

export const num = (v: unknown) => Number(v);
export const numOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));
export const strOrNull = (v: unknown) => (v === null || v === undefined ? null : String(v));

/** TRUE and FALSE read the same in both engines (SQLite stores 1 and 0; better-sqlite3 binds no booleans). */
export const bool = (v: boolean): SQL => sql.raw(v ? "TRUE" : "FALSE");

/** `column IN (a, b, …)`; never true for no values (PostgreSQL refuses an empty list). */
export const oneOf = (column: string, values: readonly unknown[]): SQL =>
  values.length === 0 ? sql`1 = 0` : sql`${sql.raw(column)} IN (${sql.join(values.map((v) => sql`${v}`), sql`, `)})`;

/** `WHERE a AND b …`, or nothing for no conditions. */
export const whereAll = (conditions: readonly SQL[]): SQL => (conditions.length === 0 ? sql`` : sql`WHERE ${sql.join([...conditions], sql` AND `)}`);

/** A LIKE pattern for text containing `q` literally, read with `ESCAPE '\'`. */
export const containing = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
