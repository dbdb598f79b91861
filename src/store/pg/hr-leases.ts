/** `Store.hrLeases`: which cluster instance delivers each HR destination (leases.ts). */
import { sql } from "drizzle-orm";
import type { HrLeaseStore, HrSettlements } from "../hr-contract.ts";
import { type HrDialect, SqlHrStore } from "../hr-store.ts";
import type { PgDb } from "./connect.ts";
import { PgLeases } from "./leases.ts";
import { pgTimesheets } from "./timesheet-sql.ts";

/** `Store.hrDestinations` on PostgreSQL: a destination's lease goes with it. */
export const pgHrDestinations = (db: PgDb) => new SqlHrStore(pgTimesheets(db), { leases: sql.raw("hr_leases") } satisfies HrDialect);

export class PgHrLeases implements HrLeaseStore {
  #leases: PgLeases;

  constructor(db: PgDb) {
    this.#leases = new PgLeases(db, { leases: "hr_leases", key: "destination_id", destinations: "hr_destinations", what: "HR destination" });
  }

  claim(holder: string, ttlMs: number) {
    return this.#leases.claim(holder, ttlMs);
  }

  release(holder: string) {
    return this.#leases.release(holder);
  }

  holder(id: number) {
    return this.#leases.holder(id);
  }

  fenced(holder: string): HrSettlements {
    const held = <T>(id: number, settle: (s: SqlHrStore) => Promise<T>) => this.#leases.held(id, holder, (tx) => settle(pgHrDestinations(tx)));
    return {
      progressed: (id, p) => held(id, (s) => s.progressed(id, p)),
      failed: (id, attempts, error, at) => held(id, (s) => s.failed(id, attempts, error, at)),
      deadLetter: (id, letter) => held(id, (s) => s.deadLetter(id, letter)),
    };
  }
}
