import type { Page } from "./types.ts";
import { storeError } from "./errors.ts";

type Kind = "string" | "number";
type Decoded<K extends readonly Kind[]> = { [I in keyof K]: K[I] extends "number" ? number : string };

/** Keyset-pagination cursors: the sort key of the last row, opaque to clients. */
export function encodeCursor(values: Array<string | number>): string {
  return Buffer.from(JSON.stringify(values)).toString("base64url");
}

function valuesOf(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    return null;
  }
}

/** Whether `cursor` can be one of ours at all: a query string is checked against it before any list is read. */
export function isCursor(cursor: string): boolean {
  const values = valuesOf(cursor);
  return Array.isArray(values) && values.length > 0 && values.every((v) => typeof v === "string" || typeof v === "number");
}

export function decodeCursor<const K extends readonly Kind[]>(cursor: string, kinds: K): Decoded<K> {
  const values = valuesOf(cursor);
  if (!Array.isArray(values) || values.length !== kinds.length || values.some((v, i) => typeof v !== kinds[i])) {
    throw storeError("bad_cursor", "cursor is not valid");
  }
  return values as Decoded<K>;
}

/** One page from `limit + 1` rows: the extra row only says that there is a next page. */
export function pageOf<T>(rows: T[], limit: number, cursorOf: (row: T) => string): Page<T> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return { items, next: more && last !== undefined ? cursorOf(last) : null };
}
