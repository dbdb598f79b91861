/** The ops of a PostgreSQL group commit (write-path.ts) that are not records: terminals, credentials, clock checks. */
import { and, count, eq, sql } from "drizzle-orm";
import type { Approval, OpResult, WriteOp } from "../contract.ts";
import { devinfoColumns } from "../devinfo-columns.ts";
import { terminalChange } from "../held-changes.ts";
import { identityDiffers } from "../terminal-identity.ts";
import type { PgDb } from "./connect.ts";
import { runSteps } from "./sql-transaction.ts";
import { terminalClock, terminals } from "./schema.ts";

export const ok = (inserted = 0, duplicates = 0, quarantined = 0): Extract<OpResult, { ok: true }> => ({ ok: true, inserted, duplicates, quarantined });

/** The ops that are not records, each as its own statements. */
export async function applyOther(db: PgDb, op: Exclude<WriteOp, { type: "punches" | "quarantine" }>): Promise<OpResult> {
  switch (op.type) {
    case "terminal-seen": {
      const info: Partial<ReturnType<typeof devinfoColumns>> = op.devinfo ? devinfoColumns(op.devinfo) : {};
      const [existing] = await db
        .select({ approval: terminals.approval, nosenduser: terminals.nosenduser, cpusn: terminals.cpusn, mac: terminals.mac })
        .from(terminals)
        .where(eq(terminals.sn, op.sn));
      const approval: Approval = existing?.approval ?? op.approvalIfNew;
      if (!existing && approval === "pending" && op.maxPending !== undefined) {
        const [row] = await db.select({ n: count() }).from(terminals).where(eq(terminals.approval, "pending"));
        if ((row?.n ?? 0) >= op.maxPending) return { ...ok(0), approval, nosenduser: false, pendingFull: true };
      }
      const nosenduser = existing?.nosenduser ?? false;
      // An approved terminal's identity is remembered: other hardware under its sn is kept apart, never learned.
      const seen = { cpusn: op.cpusn, mac: op.devinfo?.mac ?? null };
      const mismatch = existing?.approval === "approved" && identityDiffers(existing, seen);
      if (mismatch) {
        await db
          .update(terminals)
          .set({ mismatchCpusn: seen.cpusn, mismatchMac: seen.mac, mismatchAddr: op.remoteAddr, mismatchAt: op.at })
          .where(eq(terminals.sn, op.sn));
        if (op.onIdentityMismatch !== "accept") return { ...ok(0), approval, nosenduser, identityMismatch: "refused" };
      }
      const online = op.online && approval === "approved";
      const { mac: _mac, ...described } = info;
      // Approved: a field of the identity is learned when first sent, never replaced. Until then, the latest is shown for approval.
      const learn = (column: typeof terminals.cpusn | typeof terminals.mac, value: string | null) =>
        existing?.approval === "approved" ? sql`COALESCE(${column}, ${value})` : value;
      const identity = mismatch
        ? {}
        : { ...(op.cpusn ? { cpusn: learn(terminals.cpusn, op.cpusn) } : {}), ...(op.devinfo ? { mac: learn(terminals.mac, op.devinfo.mac ?? null) } : {}) };
      await db
        .insert(terminals)
        .values({
          sn: op.sn, approval, online, firstSeen: op.at, lastSeen: op.at, remoteAddr: op.remoteAddr,
          cpusn: op.cpusn, nosenduser: false, sessionId: online ? op.sessionId : null, ...info,
        })
        .onConflictDoUpdate({
          target: terminals.sn,
          set: {
            lastSeen: op.at, remoteAddr: op.remoteAddr, ...described, ...identity,
            // A refused registration must not take the connected state away from a live session.
            ...(online ? { online, sessionId: op.sessionId } : {}),
          },
        });
      return { ...ok(existing ? 0 : 1), approval, nosenduser, ...(mismatch ? { identityMismatch: "accepted" as const } : {}) };
    }
    case "terminals-last-seen": {
      if (op.entries.length === 0) return ok();
      await db.execute(sql`
        UPDATE terminals SET last_seen = GREATEST(terminals.last_seen, v.at)
        FROM unnest(${sql.param(op.entries.map((e) => e.sn))}::text[], ${sql.param(op.entries.map((e) => e.at))}::bigint[]) AS v(sn, at)
        WHERE terminals.sn = v.sn`);
      return ok();
    }
    case "terminal-offline": {
      await db
        .update(terminals)
        .set({ online: false, lastSeen: op.at })
        .where(and(eq(terminals.sn, op.sn), eq(terminals.sessionId, op.sessionId)));
      return ok();
    }
    case "credential":
      return runSteps(db, terminalChange(op));
    case "terminal-clock": {
      const { sn, at, driftSeconds, corrected } = op;
      await db
        .insert(terminalClock)
        .values({ sn, driftSeconds, checkedAt: at, correctedAt: corrected ? at : null })
        .onConflictDoUpdate({ target: terminalClock.sn, set: { driftSeconds, checkedAt: at, ...(corrected ? { correctedAt: at } : {}) } });
      return ok();
    }
  }
}
