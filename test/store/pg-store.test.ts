/**
 * The store contract (contract-cases.ts) on PgStore against the local PostgreSQL, and what only
 * the cluster's store has: its schema, concurrent writers from several instances, lost connections.
 * Every store gets a schema of its own under this run's prefix; all of them are dropped after.
 */
import assert from "node:assert/strict";
import { after, afterEach, describe, test } from "node:test";
import { SQL } from "bun";
import { pgMigrations } from "../../src/store/pg/migrations/index.ts";
import { PgStore } from "../../src/store/pg/pg-store.ts";
import { PG_BASE } from "../helpers/postgres.ts";
import { type ContractStore, contractCases, T0 } from "./contract-cases.ts";

const RUN = `t_store_${process.pid}_${Math.random().toString(36).slice(2, 7)}`;
const admin = new SQL(PG_BASE, { max: 2 });
let n = 0;

after(async () => {
  const schemas = (await admin`SELECT nspname FROM pg_namespace WHERE nspname LIKE ${`${RUN}%`}`) as Array<{ nspname: string }>;
  for (const s of schemas) await admin.unsafe(`DROP SCHEMA IF EXISTS "${s.nspname}" CASCADE`);
  await admin.close();
});

/** Integers come back as numbers, as from SQLite (bigint columns arrive as BigInt). */
const plain = (row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v]));

interface PgTestStore extends ContractStore {
  store: PgStore;
  schema: string;
  /** A connection of the test's own in the store's schema. */
  sql: SQL;
  /** Another store (another instance of a cluster) on the same schema. */
  another(): Promise<PgStore>;
}

async function freshPg(): Promise<PgTestStore> {
  const schema = `${RUN}_${++n}`;
  const open = () => PgStore.open({ url: PG_BASE, schema, now: () => T0 });
  const stores = [await open()];
  const raw = new SQL(`${PG_BASE}?search_path=${schema}`, { max: 2, bigint: true });
  const rows = async (query: string) => ((await raw.unsafe(query)) as Array<Record<string, unknown>>).map(plain);
  const closeAll = async () => {
    for (const s of stores) await s.close();
  };
  const later = async () => {
    const s = await open();
    stores.push(s);
    return s;
  };
  return {
    store: stores[0] as PgStore,
    schema,
    sql: raw,
    rows,
    exec: async (query) => void (await raw.unsafe(query)),
    close: () => (stores[stores.length - 1] as PgStore).close(),
    reopen: later,
    another: later,
    dispose: async () => {
      await closeAll();
      await raw.close();
      await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    },
  };
}

contractCases({ name: "PostgreSQL", migrations: pgMigrations, fresh: freshPg });
