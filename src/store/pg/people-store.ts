import { sql } from "drizzle-orm";
import type { PeopleDialect } from "../people-store.ts";
import type { PgDb } from "./connect.ts";
import { countHeldChanges, decideHeldChange, listHeldChanges } from "./held-changes.ts";

/** `Store.people`'s PostgreSQL part: ILIKE and the held changes, an approval in one transaction. */
export function pgPeople(db: PgDb): PeopleDialect {
  return {
    like: sql.raw("ILIKE"),
    heldChanges: {
      heldChanges: (filter) => listHeldChanges(db, filter),
      countHeldChanges: () => countHeldChanges(db),
      approveHeldChange: (id, at) => db.transaction((tx) => decideHeldChange(tx, id, at)),
      rejectHeldChange: (id) => decideHeldChange(db, id, null),
    },
  };
}
