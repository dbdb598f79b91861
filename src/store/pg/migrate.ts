import { sql } from "drizzle-orm";
import { statementsOf } from "../migrations/index.ts";
import { storeError } from "../errors.ts";
import type { PgDb } from "./connect.ts";
import type { PgMigration } from "./migrations/index.ts";

/**
 * Applies the migrations not yet recorded, all in one transaction (PostgreSQL's DDL is
 * transactional). Instances of a cluster start together: an advisory lock scoped to the schema
 * lets exactly one of them migrate while the others wait and then find nothing left to do. A row
 * recorded under a migration's former name is renamed in the same transaction, so they find
 * nothing left to rename either.
 */
export async function migratePg(db: PgDb, migrations: PgMigration[], now: number): Promise<string[]> {
  try {
    return await db.transaction(async (tx) => {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('tm20-migrate:' || current_schema()))`);
      await tx.execute(sql`CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY NOT NULL, applied_at BIGINT NOT NULL)`);
      const rows = await tx.execute<{ name: string }>(sql`SELECT name FROM _migrations`);
      const done = new Set(Array.from(rows, (r) => r.name));
      const applied: string[] = [];
      for (const m of migrations) {
        if (done.has(m.name)) continue;
        if (m.formerly !== undefined && done.has(m.formerly)) {
          await tx.execute(sql`UPDATE _migrations SET name = ${m.name} WHERE name = ${m.formerly}`);
          continue;
        }
        for (const statement of statementsOf(m)) await tx.execute(sql.raw(statement));
        await tx.execute(sql`INSERT INTO _migrations (name, applied_at) VALUES (${m.name}, ${now})`);
        applied.push(m.name);
      }
      return applied;
    });
  } catch (err) {
    throw storeError("migration_failed", "PostgreSQL migrations failed", err);
  }
}

/**
 * The store's schema, created when missing. CREATE SCHEMA IF NOT EXISTS is not safe against a
 * concurrent one (the loser fails on a unique index): instances starting together take turns.
 */
export async function ensureSchema(db: PgDb, schema: string): Promise<void> {
  try {
    await db.transaction(async (tx) => {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('tm20-schema:' || ${schema}))`);
      await tx.execute(sql.raw(`CREATE SCHEMA IF NOT EXISTS "${schema.replaceAll('"', '""')}"`));
    });
  } catch (err) {
    throw storeError("migration_failed", `PostgreSQL schema ${schema} could not be created`, err);
  }
}
