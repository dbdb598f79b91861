/**
 * The group commit's transaction on PostgreSQL. Every statement is a round trip to the server, so
 * a commit spends as few as it can: the ops that are not records one by one (one or two
 * statements each), then every quarantine entry of the commit in one INSERT and every record in
 * one INSERT per table, the columns travelling as arrays through `unnest` (as src/export/
 * pg-writes.ts writes), without savepoints. When PostgreSQL refuses a statement (a value it
 * cannot store), that transaction rolls back whole and the commit runs again one op at a time,
 * each op under its own savepoint: the op at fault fails alone, as the contract says, and only a
 * commit that holds a bad op pays for two passes.
 */
import { sql } from "drizzle-orm";
import type { OpResult, WriteOp } from "../contract.ts";
import { hasCode } from "../../lib/app-error.ts";
import { storeError } from "../errors.ts";
import type { PgDb } from "./connect.ts";
import { applyOther, ok } from "./write-ops.ts";
import { insertQuarantine, insertRecords, insertsRecords } from "./write-records.ts";

/**
 * Record ids in commit order. The live feed, the webhook outboxes and the exporter read "rows
 * after id X" and move X to the last id they saw. A sequence alone does not make that safe with
 * several instances: a transaction that took id 11 may commit after one that took id 12, and a
 * reader that saw 12 in between would never come back for 11. So every transaction that inserts
 * attendance or door events takes this lock before its first insert and holds it to its commit:
 * ids are handed out one transaction at a time, and PostgreSQL makes a commit visible before it
 * releases the transaction's locks, so whoever sees id 12 also sees every committed id below it.
 * (The alternative, filtering readers by pg_snapshot_xmin, needs (xid, id) cursors everywhere.)
 * The cost: record-inserting commits of the whole cluster are serialised, one group commit at a
 * time, as on a single box; group commit keeps each of them large, and the records go last in
 * the transaction, in a few statements, so the lock is held for as short a time as it can be.
 */
const RECORDS_LOCK = sql`SELECT pg_advisory_xact_lock(hashtext('tm20-records:' || current_schema()))`;

/**
 * Whether an error is PostgreSQL refusing what an op asked for, which a savepoint confines to
 * that op: a value it cannot store (SQLSTATE class 22), a constraint (23), a deadlock or
 * serialisation failure (40, gone in the next transaction), or one that never reached the server
 * (a value the driver could not send). Anything else (the connection, a time-out, a lock
 * wait) would fail the second pass the same way: the commit fails.
 */
function isRefusal(err: unknown): boolean {
  let cause: unknown = err;
  while (cause instanceof Error) {
    if (cause.name === "PostgresError") {
      const { code, errno } = cause as Error & { code?: string; errno?: string };
      return code === "ERR_POSTGRES_SERVER_ERROR" && /^(22|23|40)/.test(errno ?? "");
    }
    cause = cause.cause;
  }
  return true;
}

export async function writeOps(db: PgDb, ops: WriteOp[]): Promise<OpResult[]> {
  try {
    return await db.transaction(async (tx) => {
      try {
        return await applyTogether(tx, ops, true);
      } catch (err) {
        // "refused": a statement of the single pass was refused, so the commit runs again op by op.
        throw isRefusal(err) ? storeError("refused", "a statement was refused", err) : err;
      }
    });
  } catch (err) {
    if (!hasCode(err, "refused")) throw storeError("commit_failed", "the transaction could not be committed", err);
  }
  try {
    return await db.transaction(async (tx) => {
      const results: OpResult[] = [];
      let locked = false;
      for (const op of ops) {
        // Outside the savepoints (a lock taken inside one would go with its rollback).
        if (!locked && insertsRecords(op)) {
          await tx.execute(RECORDS_LOCK);
          locked = true;
        }
        try {
          // A nested transaction is a savepoint: one bad op rolls back alone.
          results.push(...(await tx.transaction((sp) => applyTogether(sp, [op], false))));
        } catch (err) {
          results.push({ ok: false, error: err instanceof Error ? err : new Error(String(err)) });
        }
      }
      return results;
    });
  } catch (err) {
    throw storeError("commit_failed", "the transaction could not be committed", err);
  }
}

/** Applies the ops in one go: the others in order, then quarantine and records batched (taking RECORDS_LOCK first when `lock`). */
async function applyTogether(db: PgDb, ops: WriteOp[], lock: boolean): Promise<OpResult[]> {
  const results: Array<OpResult | undefined> = [];
  for (const op of ops) results.push(op.type === "punches" || op.type === "quarantine" ? undefined : await applyOther(db, op));
  const pruned = await insertQuarantine(
    db,
    ops.flatMap((op) => (op.type === "punches" ? op.quarantine.map((q) => ({ sn: op.sn, at: op.at, q })) : op.type === "quarantine" ? op.entries.map((q) => ({ sn: op.sn, at: op.at, q })) : [])),
  );
  // A terminal's pruned count goes with its last op that quarantined something.
  const prunedBy = new Map<WriteOp, number>();
  for (const op of [...ops].reverse()) {
    if (op.type !== "punches" && op.type !== "quarantine") continue;
    const added = op.type === "punches" ? op.quarantine.length : op.entries.length;
    const n = op.sn === null ? undefined : pruned.get(op.sn);
    if (n !== undefined && added > 0 && op.sn !== null) {
      prunedBy.set(op, n);
      pruned.delete(op.sn);
    }
  }
  const withRecords = ops.filter(insertsRecords);
  if (lock && withRecords.length > 0) await db.execute(RECORDS_LOCK);
  const inserted = await insertRecords(db, withRecords);
  return ops.map((op, i) => {
    const quarantinePruned = prunedBy.get(op);
    const extra = quarantinePruned === undefined ? {} : { quarantinePruned };
    if (op.type === "punches") {
      const n = inserted.get(op) ?? 0;
      return { ...ok(n, op.punches.length - n, op.quarantine.length), ...extra };
    }
    if (op.type === "quarantine") return { ...ok(0, 0, op.entries.length), ...extra };
    return results[i] as OpResult;
  });
}
