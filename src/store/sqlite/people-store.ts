import { sql } from "drizzle-orm";
import type { PeopleDialect } from "../people-store.ts";
import type { SqliteDatabase } from "./driver.ts";
import { countHeldChanges, decideHeldChange, listHeldChanges } from "./held-changes.ts";
import { immediate } from "./transaction.ts";

/** `Store.people`'s SQLite part: LIKE (case-insensitive for ASCII) and the held changes, read on the reader, decided on the writer. */
export function sqlitePeople(w: SqliteDatabase, r: SqliteDatabase): PeopleDialect {
  return {
    like: sql.raw("LIKE"),
    heldChanges: {
      heldChanges: async (filter) => listHeldChanges(r, filter),
      countHeldChanges: async () => countHeldChanges(r),
      approveHeldChange: async (id, at) => immediate(w, () => decideHeldChange(w, id, at)),
      rejectHeldChange: async (id) => decideHeldChange(w, id, null),
    },
  };
}
