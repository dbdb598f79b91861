import { asc, eq } from "drizzle-orm";
import { storeError } from "../errors.ts";
import type { ImportSourceSettings, ImportSourceStore } from "../import-source-contract.ts";
import type { PgDb } from "./connect.ts";
import { peopleImportSources } from "./schema.ts";

/** `Store.importSources` over PostgreSQL (shared by every instance of a cluster). */
export class PgImportSourceStore implements ImportSourceStore {
  #db: PgDb;

  constructor(db: PgDb) {
    this.#db = db;
  }

  async list() {
    return this.#db.select().from(peopleImportSources).orderBy(asc(peopleImportSources.id));
  }

  async get(id: number) {
    const [row] = await this.#db.select().from(peopleImportSources).where(eq(peopleImportSources.id, id));
    return row ?? null;
  }

  async create(s: ImportSourceSettings, at: number) {
    const [row] = await this.#db.insert(peopleImportSources).values({ ...s, createdAt: at, updatedAt: at }).returning();
    if (!row) throw storeError("insert_failed", "import source was not stored");
    return row;
  }

  async update(id: number, changes: Partial<ImportSourceSettings>, at: number) {
    const [row] = await this.#db.update(peopleImportSources).set({ ...changes, updatedAt: at }).where(eq(peopleImportSources.id, id)).returning();
    return row ?? null;
  }

  async delete(id: number) {
    return (await this.#db.delete(peopleImportSources).where(eq(peopleImportSources.id, id)).returning({ id: peopleImportSources.id })).length > 0;
  }

  async recordRun(id: number, result: string, at: number) {
    await this.#db.update(peopleImportSources).set({ lastRunAt: at, lastResult: result }).where(eq(peopleImportSources.id, id));
  }
}
