/**
 * Which cluster instance delivers each outbound destination (webhooks, HR destinations): a lease
 * row per destination, on the database's clock (statement_timestamp), never an instance's. A held
 * settlement locks its lease row for its transaction (FOR SHARE), so a claim by another instance
 * waits for it to commit and then sees what it moved; a settlement after such a claim finds
 * another holder and fails with "lease_lost".
 */
import { sql } from "drizzle-orm";
import { storeError } from "../errors.ts";
import type { PgDb } from "./connect.ts";

const NOW_MS = sql`(extract(epoch FROM statement_timestamp()) * 1000)::bigint`;

export interface LeaseTable {
  /** The lease table, its destination-id column, and the destinations' own table. */
  leases: string;
  key: string;
  destinations: string;
  /** For messages: "webhook", "HR destination". */
  what: string;
}

export class PgLeases {
  #db: PgDb;
  #t: LeaseTable;

  constructor(db: PgDb, table: LeaseTable) {
    this.#db = db;
    this.#t = table;
  }

  /** Takes or renews, for `holder` and `ttlMs`, every lease that is free, expired or its own; the ids held. */
  async claim(holder: string, ttlMs: number): Promise<number[]> {
    const leases = sql.identifier(this.#t.leases);
    const key = sql.identifier(this.#t.key);
    // In id order, so that instances claiming at once lock the rows in the same order.
    const rows = await this.#db.execute<{ id: string }>(sql`
      INSERT INTO ${leases} (${key}, holder, expires_at)
      SELECT id, ${holder}, ${NOW_MS} + ${ttlMs}::bigint FROM ${sql.identifier(this.#t.destinations)} ORDER BY id
      ON CONFLICT (${key}) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
        WHERE ${leases}.holder = EXCLUDED.holder OR ${leases}.expires_at <= ${NOW_MS}
      RETURNING ${key}::text AS id`);
    return Array.from(rows, (r) => Number(r.id)).sort((a, b) => a - b);
  }

  async release(holder: string): Promise<void> {
    await this.#db.execute(sql`DELETE FROM ${sql.identifier(this.#t.leases)} WHERE holder = ${holder}`);
  }

  async holder(id: number): Promise<string | null> {
    const rows = await this.#db.execute<{ holder: string }>(
      sql`SELECT holder FROM ${sql.identifier(this.#t.leases)} WHERE ${sql.identifier(this.#t.key)} = ${id} AND expires_at > ${NOW_MS}`,
    );
    return Array.from(rows)[0]?.holder ?? null;
  }

  /**
   * `settle` in one transaction that first locks `holder`'s lease of `id`, even expired: until
   * someone else claims it, nobody else delivers.
   */
  held<T>(id: number, holder: string, settle: (tx: PgDb) => Promise<T>): Promise<T> {
    return this.#db.transaction(async (tx) => {
      const rows = await tx.execute<{ holder: string }>(
        sql`SELECT holder FROM ${sql.identifier(this.#t.leases)} WHERE ${sql.identifier(this.#t.key)} = ${id} AND holder = ${holder} FOR SHARE`,
      );
      if (Array.from(rows).length === 0) throw storeError("lease_lost", `another instance delivers ${this.#t.what} ${id} now`);
      return settle(tx);
    });
  }
}
