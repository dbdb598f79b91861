/**
 * An HR destination's outbox, read from its cursor: the next punches in commit order, each with
 * the employee id its mapping gives, and the backlog.
 */
import { empCode } from "../people/employee-code.ts";
import type { OutboundStore } from "../store/export-contract.ts";
import type { EmployeeIdFrom } from "../store/schema.ts";
import type { AttendanceRow, PersonRow } from "../store/schema.ts";
import type { HrRecord } from "./adapter.ts";
import type { HrDestination } from "./destination.ts";

export function hrRecord(r: AttendanceRow, person: PersonRow | undefined, from: EmployeeIdFrom): HrRecord {
  return {
    id: r.id,
    employee: from === "enrollid" ? String(r.enrollid) : empCode(r.enrollid, person),
    enrollid: r.enrollid,
    name: person?.name ?? "",
    sn: r.sn,
    time: r.time,
    utc: new Date(r.ts).toISOString(),
    inout: r.inout,
    mode: r.mode,
  };
}

/**
 * The next records, or none. `skipTo` is set when none matched but the table moved on (punches of
 * other terminals): the cursor may jump there without sending anything.
 */
export async function nextRecords(store: OutboundStore, d: HrDestination): Promise<{ records: HrRecord[]; skipTo: number | null }> {
  const sns = d.terminals ?? undefined;
  // Read the end first: every row at or below it is visible to the read that follows.
  const end = sns ? await store.exports.lastId("attendance") : d.cursor;
  const rows = await store.exports.attendanceAfter({ afterId: d.cursor, limit: d.batchSize, sns });
  if (rows.length === 0) return { records: [], skipTo: end > d.cursor ? end : null };
  const people = new Map((await store.people.all()).map((p) => [p.enrollid, p]));
  return { records: rows.map((r) => hrRecord(r, people.get(r.enrollid), d.employeeIdFrom)), skipTo: null };
}

export function backlogOf(store: OutboundStore, d: HrDestination): Promise<number> {
  return store.exports.countAfter("attendance", d.cursor, d.terminals ?? undefined);
}
