import { asc, eq } from "drizzle-orm";
import { storeError } from "../errors.ts";
import type { ImportSourceSettings, ImportSourceStore } from "../import-source-contract.ts";
import { peopleImportSources } from "../schema.ts";
import type { SqliteDatabase } from "./driver.ts";

/** `Store.importSources` over SQLite: a few rows, changed by an admin now and then. */
export class SqliteImportSourceStore implements ImportSourceStore {
  #w: SqliteDatabase;
  #r: SqliteDatabase;

  constructor(w: SqliteDatabase, r: SqliteDatabase) {
    this.#w = w;
    this.#r = r;
  }

  async list() {
    return this.#r.select().from(peopleImportSources).orderBy(asc(peopleImportSources.id)).all();
  }

  async get(id: number) {
    return this.#r.select().from(peopleImportSources).where(eq(peopleImportSources.id, id)).all()[0] ?? null;
  }

  async create(s: ImportSourceSettings, at: number) {
    const row = this.#w.insert(peopleImportSources).values({ ...s, createdAt: at, updatedAt: at }).returning().all()[0];
    if (!row) throw storeError("insert_failed", "import source was not stored");
    return row;
  }

  async update(id: number, changes: Partial<ImportSourceSettings>, at: number) {
    return this.#w.update(peopleImportSources).set({ ...changes, updatedAt: at }).where(eq(peopleImportSources.id, id)).returning().all()[0] ?? null;
  }

  async delete(id: number) {
    return this.#w.delete(peopleImportSources).where(eq(peopleImportSources.id, id)).returning({ id: peopleImportSources.id }).all().length > 0;
  }

  async recordRun(id: number, result: string, at: number) {
    this.#w.update(peopleImportSources).set({ lastRunAt: at, lastResult: result }).where(eq(peopleImportSources.id, id)).run();
  }
}
