/** Visitor passes (`Store.access`): issued, revoked once, and each admitted scan spending a use. */
import { sql } from "drizzle-orm";
import type { AccessPasses, NewPass, PassRow, PassScan, PassUseOutcome } from "../access-contract.ts";
import { decodeCursor, encodeCursor, pageOf } from "../cursor.ts";
import { storeError } from "../errors.ts";
import { one, type SqlRunner } from "../sql-runner.ts";
import type { Page } from "../types.ts";
import { bool, num, PASS_COLUMNS, readPass } from "./rows.ts";

export function sqlAccessPasses(db: SqlRunner): AccessPasses {
  const pass = async (id: number) => {
    const rows = await db.read(sql`SELECT ${sql.raw(PASS_COLUMNS)} FROM access_passes WHERE id = ${id}`);
    return rows[0] ? readPass(rows[0]) : null;
  };

  return {
    async passes(page: { cursor?: string; limit: number }): Promise<Page<PassRow>> {
      const after = page.cursor === undefined ? null : decodeCursor(page.cursor, ["number"] as const)[0];
      const rows = await db.read(sql`
        SELECT ${sql.raw(PASS_COLUMNS)} FROM access_passes ${after === null ? sql`` : sql`WHERE id < ${after}`} ORDER BY id DESC LIMIT ${page.limit + 1}`);
      return pageOf(rows.map(readPass), page.limit, (p) => encodeCursor([p.id]));
    },

    pass,

    async createPass(newPass: NewPass) {
      const levelIds = [...new Set(newPass.levelIds)].sort((a, b) => a - b);
      const terminals = [...new Set(newPass.terminals)].sort();
      const known = new Set((await db.read(sql`SELECT id FROM access_levels`)).map((r) => num(r.id)));
      const missing = levelIds.find((l) => !known.has(l));
      if (missing !== undefined) throw storeError("not_found", `no access level ${missing}`);
      // A person's code and a pass's are one namespace: the door looks a scanned code up in both.
      const taken = await db.read(sql`SELECT 1 AS hit FROM access_qr_codes WHERE code = ${newPass.code} UNION ALL SELECT 1 AS hit FROM access_passes WHERE code = ${newPass.code}`);
      if (taken.length > 0) throw storeError("exists", "this code is already issued");
      const row = await one(db, sql`
        INSERT INTO access_passes (code, name, valid_from, valid_to, level_ids, terminals, uses, used, created_at, created_by)
        VALUES (${newPass.code}, ${newPass.name}, ${newPass.validFrom}, ${newPass.validTo}, ${JSON.stringify(levelIds)}, ${JSON.stringify(terminals)}, ${newPass.uses}, 0, ${newPass.createdAt}, ${newPass.createdBy})
        RETURNING ${sql.raw(PASS_COLUMNS)}`);
      if (!row) throw storeError("internal", "the pass was not saved");
      return readPass(row);
    },

    async revokePass(id: number, at: number, by: string) {
      await db.write(sql`UPDATE access_passes SET revoked_at = ${at}, revoked_by = ${by} WHERE id = ${id} AND revoked_at IS NULL RETURNING id`);
      return pass(id);
    },

    async usePass(id: number, scan: PassScan): Promise<{ outcome: PassUseOutcome; used: number }> {
      // A revoke wins over a resend: once revoked, nothing opens with the pass.
      const [state] = await db.read(sql`
        SELECT p.revoked_at, p.used, EXISTS (
          SELECT 1 FROM access_pass_uses u WHERE u.pass_id = p.id AND u.sn = ${scan.sn} AND u.scan = ${scan.scan} AND u.used_at >= ${scan.at - scan.repeatWithinMs}
        ) AS repeat FROM access_passes p WHERE p.id = ${id}`);
      if (!state) return { outcome: "not_found", used: 0 };
      if (state.revoked_at !== null) return { outcome: "revoked", used: num(state.used) };
      if (bool(state.repeat)) return { outcome: "repeat", used: num(state.used) };
      // The use itself: one conditional statement. PostgreSQL re-checks the condition on the row a
      // concurrent update committed, SQLite has one writer: the last use goes to exactly one door.
      const consumed = await one(db, sql`
        UPDATE access_passes SET used = used + 1 WHERE id = ${id} AND revoked_at IS NULL AND (uses IS NULL OR used < uses) RETURNING used`);
      if (consumed) {
        await db.write(sql`INSERT INTO access_pass_uses (pass_id, sn, scan, used_at) VALUES (${id}, ${scan.sn}, ${scan.scan}, ${scan.at}) RETURNING id`);
        return { outcome: "granted", used: num(consumed.used) };
      }
      const current = await pass(id);
      if (!current) return { outcome: "not_found", used: 0 };
      return { outcome: current.revokedAt !== null ? "revoked" : "used_up", used: current.used };
    },
  };
}
