/**
 * The shared test PostgreSQL (127.0.0.1:5432, database `test`): each test run gets its own schema
 * and application_name, so runs never see each other's rows or connections. Drop it afterwards.
 */
import { SQL } from "bun";

export const PG_BASE = process.env.TM20_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";

export interface PgScratch {
  schema: string;
  /** The URL the server under test gets: its connections carry `appName`. */
  url: string;
  appName: string;
  sql: SQL;
  /** Ends the server's connections to PostgreSQL (as a network cut or a DBA would); returns how many. */
  terminateServerConnections(): Promise<number>;
  drop(): Promise<void>;
}

export function pgScratch(prefix: string): PgScratch {
  const tag = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const schema = `t_${tag}`.toLowerCase();
  const appName = `tm20test_${tag}`;
  const sql = new SQL(PG_BASE, { max: 2 });
  return {
    schema,
    appName,
    url: `${PG_BASE}?application_name=${appName}`,
    sql,
    async terminateServerConnections() {
      const rows = (await sql`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = ${appName}`) as Array<{ ok: boolean }>;
      return rows.filter((r) => r.ok).length;
    },
    async drop() {
      await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await sql.close();
    },
  };
}

/** A port nothing listens on: connections to it are refused at once. */
export function closedPort(): number {
  const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = server.port;
  server.stop(true);
  return port;
}
