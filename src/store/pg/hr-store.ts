import { and, asc, count, desc, eq, lt, sql, type SQL } from "drizzle-orm";
import type { Page } from "../contract.ts";
import { decodeCursor, encodeCursor, pageOf } from "../cursor.ts";
import { storeError } from "../errors.ts";
import { addSkips, hrColumns, terminalsColumn } from "../hr-columns.ts";
import type { HrDestinationSettings, HrDestinationStore, HrLeaseStore, HrProgress, HrSettlements, NewHrDeadLetter, NewHrDestination } from "../hr-contract.ts";
import type { HrDeadLetterRow } from "../schema.ts";
import type { PgDb } from "./connect.ts";
import { PgLeases } from "./leases.ts";
import { hrDeadLetters, hrDestinations, hrLeases } from "./schema.ts";

/** `Store.hrDestinations` over PostgreSQL. */
export class PgHrStore implements HrDestinationStore {
  #db: PgDb;

  constructor(db: PgDb) {
    this.#db = db;
  }

  async create(d: NewHrDestination) {
    const { at, cursor, ...settings } = d;
    const [row] = await this.#db
      .insert(hrDestinations)
      .values({ ...settings, terminals: terminalsColumn(settings.terminals), cursor, delivered: 0, skipped: "{}", attempts: 0, createdAt: at, updatedAt: at })
      .returning();
    if (!row) throw storeError("insert_failed", "HR destination was not stored");
    return row;
  }

  async list() {
    return this.#db.select().from(hrDestinations).orderBy(asc(hrDestinations.id));
  }

  async get(id: number) {
    const [row] = await this.#db.select().from(hrDestinations).where(eq(hrDestinations.id, id));
    return row ?? null;
  }

  async update(id: number, changes: Partial<HrDestinationSettings>, at: number) {
    const [row] = await this.#db.update(hrDestinations).set({ ...hrColumns(changes), updatedAt: at }).where(eq(hrDestinations.id, id)).returning();
    return row ?? null;
  }

  async delete(id: number) {
    return this.#db.transaction(async (tx) => {
      await tx.delete(hrDeadLetters).where(eq(hrDeadLetters.destinationId, id));
      await tx.delete(hrLeases).where(eq(hrLeases.destinationId, id));
      return (await tx.delete(hrDestinations).where(eq(hrDestinations.id, id)).returning({ id: hrDestinations.id })).length > 0;
    });
  }

  async progressed(id: number, p: HrProgress) {
    await this.#db.transaction(async (tx) => {
      const [row] = await tx.select({ skipped: hrDestinations.skipped }).from(hrDestinations).where(eq(hrDestinations.id, id)).for("update");
      if (!row) return;
      const done = p.delivered + Object.values(p.skipped).reduce((a, b) => a + b, 0);
      await tx
        .update(hrDestinations)
        .set({
          cursor: sql`GREATEST(${hrDestinations.cursor}, ${p.cursor}::bigint)`,
          delivered: sql`${hrDestinations.delivered} + ${p.delivered}::bigint`,
          skipped: addSkips(row.skipped, p.skipped),
          ...(p.lastSkip !== null ? { lastSkip: p.lastSkip } : {}),
          ...(done > 0 ? { attempts: 0, lastSuccessAt: p.at } : {}),
        })
        .where(eq(hrDestinations.id, id));
    });
  }

  async failed(id: number, attempts: number, error: string, at: number) {
    await this.#db.update(hrDestinations).set({ attempts, lastError: error, lastErrorAt: at }).where(eq(hrDestinations.id, id));
  }

  async deadLetter(id: number, l: NewHrDeadLetter) {
    return this.#db.transaction(async (tx) => {
      const [row] = await tx
        .insert(hrDeadLetters)
        .values({ destinationId: id, recordId: l.recordId, record: l.record, attempts: l.attempts, lastError: l.error, status: "dead", createdAt: l.at, updatedAt: l.at })
        .returning();
      if (!row) throw storeError("insert_failed", "dead letter was not stored");
      await tx
        .update(hrDestinations)
        .set({ cursor: sql`GREATEST(${hrDestinations.cursor}, ${l.recordId}::bigint)`, attempts: 0, lastError: l.error, lastErrorAt: l.at })
        .where(eq(hrDestinations.id, id));
      return row;
    });
  }

  async deadLetters(id: number, filter: { status?: HrDeadLetterRow["status"]; cursor?: string; limit: number }): Promise<Page<HrDeadLetterRow>> {
    const where: SQL[] = [eq(hrDeadLetters.destinationId, id)];
    if (filter.status !== undefined) where.push(eq(hrDeadLetters.status, filter.status));
    if (filter.cursor !== undefined) where.push(lt(hrDeadLetters.id, decodeCursor(filter.cursor, ["number"])[0]));
    const rows = await this.#db.select().from(hrDeadLetters).where(and(...where)).orderBy(desc(hrDeadLetters.id)).limit(filter.limit + 1);
    return pageOf(rows, filter.limit, (r) => encodeCursor([r.id]));
  }

  async getDeadLetter(destinationId: number, id: number) {
    const [row] = await this.#db.select().from(hrDeadLetters).where(and(eq(hrDeadLetters.destinationId, destinationId), eq(hrDeadLetters.id, id)));
    return row ?? null;
  }

  async deadLetterCount(destinationId: number) {
    const [row] = await this.#db
      .select({ n: count() })
      .from(hrDeadLetters)
      .where(and(eq(hrDeadLetters.destinationId, destinationId), eq(hrDeadLetters.status, "dead")));
    return row?.n ?? 0;
  }

  async settleDeadLetter(id: number, r: { status: HrDeadLetterRow["status"]; attempts: number; error: string; at: number }) {
    const [row] = await this.#db
      .update(hrDeadLetters)
      .set({ status: r.status, attempts: r.attempts, lastError: r.error, updatedAt: r.at })
      .where(eq(hrDeadLetters.id, id))
      .returning();
    return row ?? null;
  }
}

/** `Store.hrLeases`: which cluster instance delivers each HR destination (leases.ts). */
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
    const held = <T>(id: number, settle: (s: PgHrStore) => Promise<T>) => this.#leases.held(id, holder, (tx) => settle(new PgHrStore(tx)));
    return {
      progressed: (id, p) => held(id, (s) => s.progressed(id, p)),
      failed: (id, attempts, error, at) => held(id, (s) => s.failed(id, attempts, error, at)),
      deadLetter: (id, letter) => held(id, (s) => s.deadLetter(id, letter)),
    };
  }
}
