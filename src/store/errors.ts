import { AppError, type ErrorStatus } from "../lib/app-error.ts";

/** The store's failures that are the caller's (a stale cursor, a taken name, a bad backup file) or the load's. */
const STATUS: Record<string, ErrorStatus> = {
  bad_cursor: 400,
  invalid: 400,
  name_taken: 409,
  in_use: 409,
  exists: 409,
  not_found: 404,
  not_a_store: 400,
  corrupt: 400,
  newer_store: 400,
  lease_lost: 409,
  overloaded: 503,
  terminal_share: 503,
  commit_timeout: 503,
  writer_stopped: 503,
};

/** A store failure with a stable code (a 500 unless the table above says otherwise); `cause` keeps the driver's error. */
export function storeError(code: string, message: string, cause?: unknown): AppError {
  return new AppError(STATUS[code] ?? 500, code, message, cause);
}

/** The driver's SQLite result code ("SQLITE_FULL", "SQLITE_BUSY", …), looking through wrappers. */
export function sqliteCode(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("SQLITE_")) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** One line that says what went wrong underneath (the driver's message, not drizzle's SQL dump). */
export function rootMessage(err: unknown): string {
  let e = err;
  for (let depth = 0; depth < 5; depth++) {
    const cause = (e as { cause?: unknown } | null)?.cause;
    if (!cause) break;
    e = cause;
  }
  return e instanceof Error ? e.message : String(e);
}
