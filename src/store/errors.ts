/** A store failure with a stable code; `cause` keeps the driver's error. */
export class StoreError extends Error {
  readonly code: string;
  constructor(code: string, message: string, cause?: unknown) {
    super(message, { cause });
    this.code = code;
    this.name = "StoreError";
  }
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
