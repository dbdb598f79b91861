/**
 * `Store.hrDestinations` for both engines, in SQL that SQLite and PostgreSQL read alike, run
 * through each engine's `SqlRunner`; cluster mode's leases (PostgreSQL) are pg/hr-leases.ts, which
 * runs the settlements below inside its lease-holding transaction.
 */
import { type SQL, sql } from "drizzle-orm";
import { decodeCursor, encodeCursor, pageOf } from "./cursor.ts";
import { storeError } from "./errors.ts";
import { addSkips, hrColumns, terminalsColumn } from "./hr-columns.ts";
import type { HrDestinationSettings, HrDestinationStore, HrProgress, NewHrDeadLetter, NewHrDestination } from "./hr-contract.ts";
import { type HrDeadLetterRow, hrDeadLetters, hrDestinations } from "./schema.ts";
import type { SqlRunner } from "./sql-runner.ts";
import { tableRows } from "./sql-rows.ts";
import type { Page } from "./types.ts";

const destinations = tableRows(hrDestinations);
const letters = tableRows(hrDeadLetters);

/** What only one engine has beside the shared tables. */
export interface HrDialect {
  /** Cluster mode's lease per destination (PostgreSQL's hr_leases): removed with its destination. */
  leases: SQL | null;
}

/** The cursor only moves forward (CASE: SQLite's max(a, b) is PostgreSQL's GREATEST). */
const forward = (to: number) => sql`cursor = CASE WHEN cursor > ${to} THEN cursor ELSE ${to} END`;

export class SqlHrStore implements HrDestinationStore {
  #db: SqlRunner;
  #dialect: HrDialect;

  constructor(db: SqlRunner, dialect: HrDialect) {
    this.#db = db;
    this.#dialect = dialect;
  }

  async create(d: NewHrDestination) {
    const { at, cursor, ...settings } = d;
    const values = { ...settings, terminals: terminalsColumn(settings.terminals), cursor, delivered: 0, skipped: "{}", attempts: 0, createdAt: at, updatedAt: at };
    const [row] = await this.#db.write(sql`INSERT INTO hr_destinations ${destinations.insert(values)} RETURNING ${destinations.columns}`);
    if (!row) throw storeError("insert_failed", "HR destination was not stored");
    return destinations.read(row);
  }

  async list() {
    return (await this.#db.read(sql`SELECT ${destinations.columns} FROM hr_destinations ORDER BY id`)).map(destinations.read);
  }

  async get(id: number) {
    const [row] = await this.#db.read(sql`SELECT ${destinations.columns} FROM hr_destinations WHERE id = ${id}`);
    return row ? destinations.read(row) : null;
  }

  async update(id: number, changes: Partial<HrDestinationSettings>, at: number) {
    const set = destinations.set({ ...hrColumns(changes), updatedAt: at });
    const [row] = await this.#db.write(sql`UPDATE hr_destinations SET ${set} WHERE id = ${id} RETURNING ${destinations.columns}`);
    return row ? destinations.read(row) : null;
  }

  async delete(id: number) {
    const leases = this.#dialect.leases;
    const removed = await this.#db.transaction([
      sql`DELETE FROM hr_dead_letters WHERE destination_id = ${id} RETURNING id`,
      ...(leases ? [sql`DELETE FROM ${leases} WHERE destination_id = ${id} RETURNING destination_id`] : []),
      sql`DELETE FROM hr_destinations WHERE id = ${id} RETURNING id`,
    ]);
    return (removed.at(-1) ?? []).length > 0;
  }

  async progressed(id: number, p: HrProgress) {
    const done = p.delivered + Object.values(p.skipped).reduce((a, b) => a + b, 0);
    const set = [forward(p.cursor), sql`delivered = delivered + ${p.delivered}`];
    if (p.lastSkip !== null) set.push(sql`last_skip = ${p.lastSkip}`);
    if (done > 0) set.push(sql`attempts = 0, last_success_at = ${p.at}`);
    // The skip counts are JSON, added to here: written only over the counts read, else read again.
    for (;;) {
      const [row] = await this.#db.read(sql`SELECT skipped FROM hr_destinations WHERE id = ${id}`);
      if (!row) return;
      const stored = String(row.skipped);
      const [moved] = await this.#db.write(sql`
        UPDATE hr_destinations SET ${sql.join(set, sql`, `)}, skipped = ${addSkips(stored, p.skipped)}
        WHERE id = ${id} AND skipped = ${stored} RETURNING id`);
      if (moved) return;
    }
  }

  async failed(id: number, attempts: number, error: string, at: number) {
    await this.#db.write(sql`UPDATE hr_destinations SET ${destinations.set({ attempts, lastError: error, lastErrorAt: at })} WHERE id = ${id} RETURNING id`);
  }

  async deadLetter(id: number, l: NewHrDeadLetter) {
    const letter = { destinationId: id, recordId: l.recordId, record: l.record, attempts: l.attempts, lastError: l.error, status: "dead" as const, createdAt: l.at, updatedAt: l.at };
    const [[row] = []] = await this.#db.transaction([
      sql`INSERT INTO hr_dead_letters ${letters.insert(letter)} RETURNING ${letters.columns}`,
      sql`UPDATE hr_destinations SET ${forward(l.recordId)}, ${destinations.set({ attempts: 0, lastError: l.error, lastErrorAt: l.at })} WHERE id = ${id} RETURNING id`,
    ]);
    if (!row) throw storeError("insert_failed", "dead letter was not stored");
    return letters.read(row);
  }

  async deadLetters(id: number, filter: { status?: HrDeadLetterRow["status"]; cursor?: string; limit: number }): Promise<Page<HrDeadLetterRow>> {
    const where: SQL[] = [sql`destination_id = ${id}`];
    if (filter.status !== undefined) where.push(sql`status = ${filter.status}`);
    if (filter.cursor !== undefined) where.push(sql`id < ${decodeCursor(filter.cursor, ["number"])[0]}`);
    const rows = await this.#db.read(sql`SELECT ${letters.columns} FROM hr_dead_letters WHERE ${sql.join(where, sql` AND `)} ORDER BY id DESC LIMIT ${filter.limit + 1}`);
    return pageOf(rows.map(letters.read), filter.limit, (r) => encodeCursor([r.id]));
  }

  async getDeadLetter(destinationId: number, id: number) {
    const [row] = await this.#db.read(sql`SELECT ${letters.columns} FROM hr_dead_letters WHERE destination_id = ${destinationId} AND id = ${id}`);
    return row ? letters.read(row) : null;
  }

  async deadLetterCount(destinationId: number) {
    const [row] = await this.#db.read(sql`SELECT count(*) AS n FROM hr_dead_letters WHERE destination_id = ${destinationId} AND status = 'dead'`);
    return Number(row?.n ?? 0);
  }

  async settleDeadLetter(id: number, r: { status: HrDeadLetterRow["status"]; attempts: number; error: string; at: number }) {
    const set = letters.set({ status: r.status, attempts: r.attempts, lastError: r.error, updatedAt: r.at });
    const [row] = await this.#db.write(sql`UPDATE hr_dead_letters SET ${set} WHERE id = ${id} RETURNING ${letters.columns}`);
    return row ? letters.read(row) : null;
  }
}
