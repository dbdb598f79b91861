/**
 * `Store.access` for both engines, in SQL that SQLite and PostgreSQL read alike, run through the
 * same `SqlRunner` as `Store.timesheets`. Schedules and levels are JSON checked by
 * `access/model.ts` when written and read; a schedule's windows are kept merged and sorted.
 */
import type { AccessStore } from "./access-contract.ts";
import { sqlAccessHeld } from "./access/held.ts";
import { sqlAccessPasses } from "./access/passes.ts";
import { sqlAccessRules } from "./access/rules.ts";
import type { SqlRunner } from "./sql-runner.ts";

/** `Store.access` over an engine's runner: its parts, each in store/access/. */
export function sqlAccessStore(db: SqlRunner): AccessStore {
  return { ...sqlAccessRules(db), ...sqlAccessPasses(db), ...sqlAccessHeld(db) };
}
