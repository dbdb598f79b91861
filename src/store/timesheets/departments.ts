/** Departments and the dated memberships of people in them (`Store.timesheets`). */
import { sql } from "drizzle-orm";
import { addDays } from "../../timesheets/calendar.ts";
import * as schemas from "../../timesheets/schemas.ts";
import type { LocalDate, Membership } from "../../timesheets/types.ts";
import { storeError } from "../errors.ts";
import { one } from "../sql-runner.ts";
import type { TimesheetSql } from "./sql.ts";
import type { TimesheetDepartments } from "../timesheets-contract.ts";
import { check, membership, num, queries, read, UNSAVED } from "./rows.ts";

export function sqlDepartments(db: TimesheetSql): TimesheetDepartments {
  // Typed columns setDepartment checked when it wrote them (read for every person a rebuild computes).
  const memberships = async (enrollid: number) => (await db.person("memberships", enrollid)).map(membership);

  return {
    async departments() {
      return (await db.read(sql`SELECT id, name FROM ts_departments ORDER BY lower(name), id`)).map((r) => ({ id: num(r.id), name: String(r.name) }));
    },

    async createDepartment(name: string) {
      const { name: clean } = check(schemas.department, { id: UNSAVED, name });
      const row = await one(db, sql`INSERT INTO ts_departments (name) VALUES (${clean}) ON CONFLICT DO NOTHING RETURNING id`);
      if (!row) throw storeError("name_taken", `a department is already named "${clean}"`);
      return { id: num(row.id), name: clean };
    },

    async renameDepartment(id: number, name: string) {
      const { name: clean } = check(schemas.department, { id: UNSAVED, name });
      const [taken] = await db.read(sql`SELECT id FROM ts_departments WHERE lower(name) = lower(${clean}) AND id <> ${id}`);
      if (taken) throw storeError("name_taken", `a department is already named "${clean}"`);
      try {
        const row = await one(db, sql`UPDATE ts_departments SET name = ${clean} WHERE id = ${id} RETURNING id`);
        return row ? { id, name: clean } : null;
      } catch (err) {
        // Another rename won the name between the check and the update: the unique index refused it.
        throw storeError("name_taken", `a department is already named "${clean}"`, err);
      }
    },

    async deleteDepartment(id: number) {
      // Past days were computed with it and its memberships are history: such a department is renamed, not deleted.
      const [member] = await db.read(sql`SELECT enrollid FROM ts_memberships WHERE department_id = ${id} LIMIT 1`);
      if (member || read.schedules(await db.read(queries.schedules)).some((s) => s.departmentId === id)) {
        throw storeError("in_use", "the department has members (now or in the past) or schedules");
      }
      return (await db.write(sql`DELETE FROM ts_departments WHERE id = ${id} RETURNING id`)).length > 0;
    },

    memberships,

    async allMemberships() {
      const byPerson = new Map<number, Membership[]>();
      for (const r of await db.everyone("memberships", [])) {
        const enrollid = num(r.enrollid);
        const list = byPerson.get(enrollid);
        if (list) list.push(membership(r));
        else byPerson.set(enrollid, [membership(r)]);
      }
      return byPerson;
    },

    async setDepartment(enrollid: number, departmentId: number | null, from: LocalDate) {
      const day = check(schemas.localDate, from);
      const dayBefore = addDays(day, -1);
      const statements = [
        sql`DELETE FROM ts_memberships WHERE enrollid = ${enrollid} AND from_date >= ${day}`,
        sql`UPDATE ts_memberships SET to_date = ${dayBefore} WHERE enrollid = ${enrollid} AND (to_date IS NULL OR to_date >= ${day})`,
      ];
      if (departmentId !== null) {
        const [known] = await db.read(sql`SELECT id FROM ts_departments WHERE id = ${departmentId}`);
        if (!known) throw storeError("not_found", `no department ${departmentId}`);
        statements.push(sql`INSERT INTO ts_memberships (enrollid, from_date, department_id, to_date) VALUES (${enrollid}, ${day}, ${departmentId}, NULL)`);
      }
      await db.batch(statements);
      return memberships(enrollid);
    },

    async membershipsOn(date: LocalDate) {
      const day = check(schemas.localDate, date);
      const rows = await db.read(
        sql`SELECT enrollid, department_id FROM ts_memberships WHERE from_date <= ${day} AND (to_date IS NULL OR to_date >= ${day}) ORDER BY enrollid`,
      );
      return rows.map((r) => ({ enrollid: num(r.enrollid), departmentId: num(r.department_id) }));
    },
  };
}
