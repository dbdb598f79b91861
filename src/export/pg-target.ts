/**
 * Where the export goes: a PostgreSQL URL and a schema name. The password never reaches a log
 * line or an API answer, and the exporter's connections carry an application_name so that a DBA
 * (or a test) can tell them apart in pg_stat_activity.
 */
import { AppError } from "../lib/app-error.ts";

export const DEFAULT_APPLICATION_NAME = "tm20-export";

/** Schema names go into DDL as identifiers: keep them to plain lower-case names. */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

const targetError = (message: string) => new AppError(400, "bad_pg_target", message);

export interface PgTarget {
  url: string;
  schema: string;
  /** The URL without its password, for logs and status. */
  display: string;
  /** Names the target for the export cursors: host, port, database and schema (not the user). */
  key: string;
}

export function pgTarget(url: string, schema: string): PgTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw targetError("--pg-url: the PostgreSQL URL is not a URL (postgres://user:password@host:5432/database)");
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    throw targetError(`--pg-url: the PostgreSQL URL must start with postgres:// (got ${parsed.protocol}//)`);
  }
  if (!SCHEMA_NAME.test(schema)) throw targetError(`--pg-schema: ${JSON.stringify(schema)}: use lower-case letters, digits and _`);
  if (!parsed.searchParams.has("application_name")) parsed.searchParams.set("application_name", DEFAULT_APPLICATION_NAME);
  const display = new URL(parsed.href);
  if (display.password) display.password = "***";
  display.search = "";
  const key = `${parsed.hostname}:${parsed.port || "5432"}${parsed.pathname}#${schema}`;
  return { url: parsed.href, schema, display: `${display.href} schema ${schema}`, key };
}
