/**
 * `Store.notifierLease`: which cluster instance sends alert notifications, a `role_leases` row on
 * the database's clock like the destination leases (leases.ts). A fenced save locks the row for
 * its transaction (FOR SHARE), so an instance that lost the lease never overwrites what the new
 * sender has told.
 */
import { sql } from "drizzle-orm";
import { type AdminStore, NOTIFIER_LEASE_ID, type NotifierLeaseStore } from "../admin-contract.ts";
import { SqlAdminStore } from "../admin-store.ts";
import { storeError } from "../errors.ts";
import type { PgDb } from "./connect.ts";
import { pgTransaction } from "./sql-transaction.ts";
import { pgTimesheets } from "./timesheet-sql.ts";

const ROLE = "notifier";
const NOW_MS = sql`(extract(epoch FROM statement_timestamp()) * 1000)::bigint`;

export class PgNotifierLease implements NotifierLeaseStore {
  #db: PgDb;

  constructor(db: PgDb) {
    this.#db = db;
  }

  async claim(holder: string, ttlMs: number): Promise<number[]> {
    const rows = await this.#db.execute<{ role: string }>(sql`
      INSERT INTO role_leases (role, holder, expires_at) VALUES (${ROLE}, ${holder}, ${NOW_MS} + ${ttlMs}::bigint)
      ON CONFLICT (role) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
        WHERE role_leases.holder = EXCLUDED.holder OR role_leases.expires_at <= ${NOW_MS}
      RETURNING role`);
    return Array.from(rows).length > 0 ? [NOTIFIER_LEASE_ID] : [];
  }

  async release(holder: string): Promise<void> {
    await this.#db.execute(sql`DELETE FROM role_leases WHERE role = ${ROLE} AND holder = ${holder}`);
  }

  async holder(): Promise<string | null> {
    const rows = await this.#db.execute<{ holder: string }>(sql`SELECT holder FROM role_leases WHERE role = ${ROLE} AND expires_at > ${NOW_MS}`);
    return Array.from(rows)[0]?.holder ?? null;
  }

  fenced(holder: string) {
    return {
      saveNotificationState: (...args: Parameters<AdminStore["saveNotificationState"]>) =>
        this.#db.transaction(async (tx) => {
          const rows = await tx.execute(sql`SELECT holder FROM role_leases WHERE role = ${ROLE} AND holder = ${holder} FOR SHARE`);
          if (Array.from(rows).length === 0) throw storeError("lease_lost", "another instance sends the alert notifications now");
          await new SqlAdminStore(pgTimesheets(tx), pgTransaction(tx)).saveNotificationState(...args);
        }),
    };
  }
}
