import { sql } from "drizzle-orm";
import { type Migration, statementsOf } from "../migrations/index.ts";
import { storeError } from "../errors.ts";
import type { SqliteDatabase } from "./driver.ts";
import { immediate } from "./transaction.ts";

/** Applies the migrations not yet recorded, each in its own transaction. Returns their names. */
export function migrate(db: SqliteDatabase, migrations: Migration[], now: number): string[] {
  db.run(sql`CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY NOT NULL, applied_at INTEGER NOT NULL)`);
  const done = new Set(db.all<{ name: string }>(sql`SELECT name FROM _migrations`).map((r) => r.name));
  const applied: string[] = [];
  for (const m of migrations) {
    if (done.has(m.name)) continue;
    try {
      immediate(db, () => {
        for (const statement of statementsOf(m)) db.run(sql.raw(statement));
        db.run(sql`INSERT INTO _migrations (name, applied_at) VALUES (${m.name}, ${now})`);
      });
    } catch (err) {
      throw storeError("migration_failed", `migration ${m.name} failed`, err);
    }
    applied.push(m.name);
  }
  return applied;
}

/** Migrations not yet applied, read without writing (a read-only store cannot apply them). */
export function pendingMigrations(db: SqliteDatabase, migrations: Migration[]): string[] {
  const done = new Set(db.all<{ name: string }>(sql`SELECT name FROM _migrations`).map((r) => r.name));
  return migrations.filter((m) => !done.has(m.name)).map((m) => m.name);
}
