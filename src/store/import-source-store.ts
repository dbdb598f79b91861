/**
 * `Store.importSources` for both engines, in SQL that SQLite and PostgreSQL read alike, run
 * through each engine's `SqlRunner`: a few rows, changed by an admin now and then.
 */
import { type SQL, sql } from "drizzle-orm";
import { storeError } from "./errors.ts";
import type { ImportSourceSettings, ImportSourceStore } from "./import-source-contract.ts";
import type { PeopleImportSourceRow } from "./schema.ts";
import type { Row, SqlRunner } from "./sql-runner.ts";
import { bool, numOrNull } from "./sql-values.ts";

const COLUMNS = sql.raw("id, name, url, auth_header, auth_sealed, mapping, paging, disable_missing, last_run_at, last_result, created_at, updated_at");

/** Settings as columns. */
const SETTING_COLUMNS: { [K in keyof ImportSourceSettings]-?: (v: ImportSourceSettings[K]) => SQL } = {
  name: (v) => sql`name = ${v}`,
  url: (v) => sql`url = ${v}`,
  authHeader: (v) => sql`auth_header = ${v}`,
  authSealed: (v) => sql`auth_sealed = ${v}`,
  mapping: (v) => sql`mapping = ${v}`,
  paging: (v) => sql`paging = ${v}`,
  disableMissing: (v) => sql`disable_missing = ${bool(v)}`,
};


function readSource(r: Row): PeopleImportSourceRow {
  return {
    id: Number(r.id),
    name: String(r.name),
    url: String(r.url),
    authHeader: r.auth_header === null ? null : String(r.auth_header),
    authSealed: r.auth_sealed === null ? null : String(r.auth_sealed),
    mapping: String(r.mapping),
    paging: String(r.paging),
    disableMissing: Boolean(r.disable_missing),
    lastRunAt: numOrNull(r.last_run_at),
    lastResult: r.last_result === null ? null : String(r.last_result),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export class SqlImportSourceStore implements ImportSourceStore {
  #db: SqlRunner;

  constructor(db: SqlRunner) {
    this.#db = db;
  }

  async list() {
    return (await this.#db.read(sql`SELECT ${COLUMNS} FROM people_import_sources ORDER BY id`)).map(readSource);
  }

  async get(id: number) {
    const [row] = await this.#db.read(sql`SELECT ${COLUMNS} FROM people_import_sources WHERE id = ${id}`);
    return row ? readSource(row) : null;
  }

  async create(s: ImportSourceSettings, at: number) {
    const [row] = await this.#db.write(sql`
      INSERT INTO people_import_sources (name, url, auth_header, auth_sealed, mapping, paging, disable_missing, created_at, updated_at)
      VALUES (${s.name}, ${s.url}, ${s.authHeader}, ${s.authSealed}, ${s.mapping}, ${s.paging}, ${bool(s.disableMissing)}, ${at}, ${at})
      RETURNING ${COLUMNS}`);
    if (!row) throw storeError("insert_failed", "import source was not stored");
    return readSource(row);
  }

  async update(id: number, changes: Partial<ImportSourceSettings>, at: number) {
    const set = [sql`updated_at = ${at}`];
    for (const key of Object.keys(SETTING_COLUMNS) as (keyof ImportSourceSettings)[]) {
      const value = changes[key];
      if (value !== undefined) set.push((SETTING_COLUMNS[key] as (v: typeof value) => SQL)(value));
    }
    const [row] = await this.#db.write(sql`UPDATE people_import_sources SET ${sql.join(set, sql`, `)} WHERE id = ${id} RETURNING ${COLUMNS}`);
    return row ? readSource(row) : null;
  }

  async delete(id: number) {
    return (await this.#db.write(sql`DELETE FROM people_import_sources WHERE id = ${id} RETURNING id`)).length > 0;
  }

  async recordRun(id: number, result: string, at: number) {
    await this.#db.batch([sql`UPDATE people_import_sources SET last_run_at = ${at}, last_result = ${result} WHERE id = ${id}`]);
  }
}
