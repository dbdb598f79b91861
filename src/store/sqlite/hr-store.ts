import { and, asc, count, desc, eq, lt, sql, type SQL } from "drizzle-orm";
import type { Page } from "../contract.ts";
import { decodeCursor, encodeCursor, pageOf } from "../cursor.ts";
import { storeError } from "../errors.ts";
import { addSkips, hrColumns, terminalsColumn } from "../hr-columns.ts";
import type { HrDestinationSettings, HrDestinationStore, HrProgress, NewHrDeadLetter, NewHrDestination } from "../hr-contract.ts";
import { type HrDeadLetterRow, hrDeadLetters, hrDestinations } from "../schema.ts";
import type { SqliteDatabase } from "./driver.ts";

/** `Store.hrDestinations` over SQLite: small direct writes on the store's write connection. */
export class SqliteHrStore implements HrDestinationStore {
  #w: SqliteDatabase;
  #r: SqliteDatabase;

  constructor(w: SqliteDatabase, r: SqliteDatabase) {
    this.#w = w;
    this.#r = r;
  }

  async create(d: NewHrDestination) {
    const { at, cursor, ...settings } = d;
    const row = this.#w
      .insert(hrDestinations)
      .values({ ...settings, terminals: terminalsColumn(settings.terminals), cursor, delivered: 0, skipped: "{}", attempts: 0, createdAt: at, updatedAt: at })
      .returning()
      .all()[0];
    if (!row) throw storeError("insert_failed", "HR destination was not stored");
    return row;
  }

  async list() {
    return this.#r.select().from(hrDestinations).orderBy(asc(hrDestinations.id)).all();
  }

  async get(id: number) {
    return this.#r.select().from(hrDestinations).where(eq(hrDestinations.id, id)).all()[0] ?? null;
  }

  async update(id: number, changes: Partial<HrDestinationSettings>, at: number) {
    return this.#w.update(hrDestinations).set({ ...hrColumns(changes), updatedAt: at }).where(eq(hrDestinations.id, id)).returning().all()[0] ?? null;
  }

  async delete(id: number) {
    return this.#w.transaction(
      (tx) => {
        tx.delete(hrDeadLetters).where(eq(hrDeadLetters.destinationId, id)).run();
        return tx.delete(hrDestinations).where(eq(hrDestinations.id, id)).returning({ id: hrDestinations.id }).all().length > 0;
      },
      { behavior: "immediate" },
    );
  }

  async progressed(id: number, p: HrProgress) {
    this.#w.transaction(
      (tx) => {
        const row = tx.select({ skipped: hrDestinations.skipped }).from(hrDestinations).where(eq(hrDestinations.id, id)).all()[0];
        if (!row) return;
        const done = p.delivered + Object.values(p.skipped).reduce((a, b) => a + b, 0);
        tx.update(hrDestinations)
          .set({
            cursor: sql`max(${hrDestinations.cursor}, ${p.cursor})`,
            delivered: sql`${hrDestinations.delivered} + ${p.delivered}`,
            skipped: addSkips(row.skipped, p.skipped),
            ...(p.lastSkip !== null ? { lastSkip: p.lastSkip } : {}),
            ...(done > 0 ? { attempts: 0, lastSuccessAt: p.at } : {}),
          })
          .where(eq(hrDestinations.id, id))
          .run();
      },
      { behavior: "immediate" },
    );
  }

  async failed(id: number, attempts: number, error: string, at: number) {
    this.#w.update(hrDestinations).set({ attempts, lastError: error, lastErrorAt: at }).where(eq(hrDestinations.id, id)).run();
  }

  async deadLetter(id: number, l: NewHrDeadLetter) {
    return this.#w.transaction(
      (tx) => {
        const row = tx
          .insert(hrDeadLetters)
          .values({ destinationId: id, recordId: l.recordId, record: l.record, attempts: l.attempts, lastError: l.error, status: "dead", createdAt: l.at, updatedAt: l.at })
          .returning()
          .all()[0];
        if (!row) throw storeError("insert_failed", "dead letter was not stored");
        tx.update(hrDestinations)
          .set({ cursor: sql`max(${hrDestinations.cursor}, ${l.recordId})`, attempts: 0, lastError: l.error, lastErrorAt: l.at })
          .where(eq(hrDestinations.id, id))
          .run();
        return row;
      },
      { behavior: "immediate" },
    );
  }

  async deadLetters(id: number, filter: { status?: HrDeadLetterRow["status"]; cursor?: string; limit: number }): Promise<Page<HrDeadLetterRow>> {
    const where: SQL[] = [eq(hrDeadLetters.destinationId, id)];
    if (filter.status !== undefined) where.push(eq(hrDeadLetters.status, filter.status));
    if (filter.cursor !== undefined) where.push(lt(hrDeadLetters.id, decodeCursor(filter.cursor, ["number"])[0]));
    const rows = this.#r.select().from(hrDeadLetters).where(and(...where)).orderBy(desc(hrDeadLetters.id)).limit(filter.limit + 1).all();
    return pageOf(rows, filter.limit, (r) => encodeCursor([r.id]));
  }

  async getDeadLetter(destinationId: number, id: number) {
    return this.#r.select().from(hrDeadLetters).where(and(eq(hrDeadLetters.destinationId, destinationId), eq(hrDeadLetters.id, id))).all()[0] ?? null;
  }

  async deadLetterCount(destinationId: number) {
    return (
      this.#r
        .select({ n: count() })
        .from(hrDeadLetters)
        .where(and(eq(hrDeadLetters.destinationId, destinationId), eq(hrDeadLetters.status, "dead")))
        .all()[0]?.n ?? 0
    );
  }

  async settleDeadLetter(id: number, r: { status: HrDeadLetterRow["status"]; attempts: number; error: string; at: number }) {
    return (
      this.#w
        .update(hrDeadLetters)
        .set({ status: r.status, attempts: r.attempts, lastError: r.error, updatedAt: r.at })
        .where(eq(hrDeadLetters.id, id))
        .returning()
        .all()[0] ?? null
    );
  }
}
