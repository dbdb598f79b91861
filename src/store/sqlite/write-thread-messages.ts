/**
 * What the server's event loop and the write thread say to each other (write-thread.ts,
 * write-worker.ts). Errors cross as plain data: an Error does not survive the copy with its code.
 */
import type { OpResult, WriteOp } from "../contract.ts";
import { AppError } from "../../lib/app-error.ts";
import { rootMessage, sqliteCode, storeError } from "../errors.ts";
import type { Durability } from "./pragmas.ts";

export interface WireError {
  /** The AppError's code, when it was one. */
  code: string | null;
  message: string;
  /** The SQLite result code underneath ("SQLITE_FULL", …), and the driver's message. */
  sqlite: string | null;
  root: string;
}

export type WireResult = Exclude<OpResult, { ok: false }> | { ok: false; error: WireError };

export type ToThread =
  | { kind: "open"; file: string; durability: Durability; busyTimeoutMs: number }
  | { kind: "write"; id: number; ops: WriteOp[] }
  | { kind: "close" };

export type FromThread =
  | { kind: "ready" }
  | { kind: "open-failed"; error: WireError }
  | { kind: "written"; id: number; results: WireResult[] }
  | { kind: "failed"; id: number; error: WireError }
  | { kind: "closed" };

export function toWire(err: unknown): WireError {
  return {
    code: err instanceof AppError ? err.code : null,
    message: err instanceof Error ? err.message : String(err),
    sqlite: sqliteCode(err) ?? null,
    root: rootMessage(err),
  };
}

/** Back to a store error whose cause carries the SQLite code, so sqliteCode()/rootMessage() read it as before. */
export function fromWire(e: WireError): AppError {
  const cause = Object.assign(new Error(e.root), e.sqlite ? { code: e.sqlite } : {});
  return storeError(e.code ?? "write_failed", e.message, cause);
}
