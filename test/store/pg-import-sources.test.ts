/** `Store.importSources` on the PostgreSQL store (a schema of this run's own, dropped after). */
import { afterAll, beforeAll, test } from "bun:test";
import { PgStore } from "../../src/store/pg/pg-store.ts";
import { PG_BASE, pgScratch } from "../helpers/postgres.ts";
import { checkImportSources } from "./import-sources-contract.ts";

const scratch = pgScratch("importsrc");
let store: PgStore;

beforeAll(async () => {
  await scratch.sql.unsafe(`CREATE SCHEMA "${scratch.schema}"`);
  store = await PgStore.open({ url: `${PG_BASE}?search_path=${scratch.schema}`, poolSize: 2 });
});
afterAll(async () => {
  await store?.close();
  await scratch.drop();
});

test("importSources: create, list, get, update, recordRun, delete", async () => {
  await checkImportSources(store, Date.UTC(2026, 0, 5, 12));
});
