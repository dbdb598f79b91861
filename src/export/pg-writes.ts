/**
 * Batched writes into the export schema. Each batch is ONE statement: the columns travel as
 * arrays and `unnest` turns them into rows, so a 10,000-row batch costs 11 parameters and one
 * round trip. Records are inserted `ON CONFLICT DO NOTHING` on their identity, so exporting the
 * same batch twice (a crash between the PostgreSQL commit and the cursor's) changes nothing.
 */
import type { SQL } from "bun";
import type { CredentialRow } from "../store/export-contract.ts";
import type { ComputedDay, RemovedDay } from "../store/timesheets-contract.ts";
import type { Department } from "../timesheets/types.ts";
import type { AttendanceRow, DoorEventRow, PersonRow, TerminalRow } from "../store/schema.ts";
import { quoteIdent } from "./pg-schema.ts";

const col = <T, V>(rows: readonly T[], pick: (row: T) => V) => rows.map(pick);

export async function insertAttendance(sql: SQL, schema: string, rows: readonly AttendanceRow[]): Promise<void> {
  await sql.unsafe(
    `INSERT INTO ${quoteIdent(schema)}.attendance (sn, enrollid, time, mode, inout, event, ts, verifymode, temp, received_at, source_id)
     SELECT sn, enrollid, time, mode, inout, event, to_timestamp(ts / 1000.0), verifymode, temp, to_timestamp(received_at / 1000.0), source_id
     FROM unnest($1::text[], $2::bigint[], $3::timestamp[], $4::int[], $5::int[], $6::int[], $7::bigint[], $8::int[], $9::real[], $10::bigint[], $11::bigint[])
       AS u(sn, enrollid, time, mode, inout, event, ts, verifymode, temp, received_at, source_id)
     ON CONFLICT DO NOTHING`,
    [
      col(rows, (r) => r.sn), col(rows, (r) => r.enrollid), col(rows, (r) => r.time), col(rows, (r) => r.mode),
      col(rows, (r) => r.inout), col(rows, (r) => r.event), col(rows, (r) => r.ts), col(rows, (r) => r.verifymode),
      col(rows, (r) => r.temp), col(rows, (r) => r.receivedAt), col(rows, (r) => r.id),
    ],
  );
}

export async function insertDoorEvents(sql: SQL, schema: string, rows: readonly DoorEventRow[]): Promise<void> {
  await sql.unsafe(
    `INSERT INTO ${quoteIdent(schema)}.door_events (sn, time, mode, inout, event, ts, received_at, source_id)
     SELECT sn, time, mode, inout, event, to_timestamp(ts / 1000.0), to_timestamp(received_at / 1000.0), source_id
     FROM unnest($1::text[], $2::timestamp[], $3::int[], $4::int[], $5::int[], $6::bigint[], $7::bigint[], $8::bigint[])
       AS u(sn, time, mode, inout, event, ts, received_at, source_id)
     ON CONFLICT DO NOTHING`,
    [
      col(rows, (r) => r.sn), col(rows, (r) => r.time), col(rows, (r) => r.mode), col(rows, (r) => r.inout),
      col(rows, (r) => r.event), col(rows, (r) => r.ts), col(rows, (r) => r.receivedAt), col(rows, (r) => r.id),
    ],
  );
}

export async function upsertTerminals(sql: SQL, schema: string, rows: readonly TerminalRow[]): Promise<void> {
  if (rows.length === 0) return;
  await sql.unsafe(
    `INSERT INTO ${quoteIdent(schema)}.terminals AS t (sn, name, location, approval, online, first_seen, last_seen, model, firmware, fpalgo, mac, user_used, fp_used, log_used, devinfo)
     SELECT sn, name, location, approval, online, to_timestamp(first_seen / 1000.0), to_timestamp(last_seen / 1000.0), model, firmware, fpalgo, mac, user_used, fp_used, log_used, devinfo::jsonb
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[], $6::bigint[], $7::bigint[], $8::text[], $9::text[], $10::text[], $11::text[], $12::int[], $13::int[], $14::int[], $15::text[])
       AS u(sn, name, location, approval, online, first_seen, last_seen, model, firmware, fpalgo, mac, user_used, fp_used, log_used, devinfo)
     ON CONFLICT (sn) DO UPDATE SET name = excluded.name, location = excluded.location, approval = excluded.approval,
       online = excluded.online, first_seen = excluded.first_seen, last_seen = excluded.last_seen, model = excluded.model,
       firmware = excluded.firmware, fpalgo = excluded.fpalgo, mac = excluded.mac, user_used = excluded.user_used,
       fp_used = excluded.fp_used, log_used = excluded.log_used, devinfo = excluded.devinfo`,
    [
      col(rows, (r) => r.sn), col(rows, (r) => r.name), col(rows, (r) => r.location), col(rows, (r) => r.approval),
      col(rows, (r) => r.online), col(rows, (r) => r.firstSeen), col(rows, (r) => r.lastSeen), col(rows, (r) => r.model),
      col(rows, (r) => r.firmware), col(rows, (r) => r.fpalgo), col(rows, (r) => r.mac), col(rows, (r) => r.userUsed),
      col(rows, (r) => r.fpUsed), col(rows, (r) => r.logUsed), col(rows, (r) => r.devinfo),
    ],
  );
}

export async function upsertPeople(sql: SQL, schema: string, rows: readonly PersonRow[]): Promise<void> {
  if (rows.length === 0) return;
  await sql.unsafe(
    `INSERT INTO ${quoteIdent(schema)}.people (enrollid, name, admin, enabled, valid_from, valid_to, external_id, created_at, updated_at)
     SELECT enrollid, name, admin, enabled, valid_from, valid_to, external_id, to_timestamp(created_at / 1000.0), to_timestamp(updated_at / 1000.0)
     FROM unnest($1::bigint[], $2::text[], $3::int[], $4::boolean[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::bigint[])
       AS u(enrollid, name, admin, enabled, valid_from, valid_to, external_id, created_at, updated_at)
     ON CONFLICT (enrollid) DO UPDATE SET name = excluded.name, admin = excluded.admin, enabled = excluded.enabled,
       valid_from = excluded.valid_from, valid_to = excluded.valid_to, external_id = excluded.external_id,
       created_at = excluded.created_at, updated_at = excluded.updated_at`,
    [
      col(rows, (r) => r.enrollid), col(rows, (r) => r.name), col(rows, (r) => r.admin), col(rows, (r) => r.enabled),
      col(rows, (r) => r.validFrom), col(rows, (r) => r.validTo), col(rows, (r) => r.externalId), col(rows, (r) => r.createdAt),
      col(rows, (r) => r.updatedAt),
    ],
  );
}

export async function upsertCredentials(sql: SQL, schema: string, rows: readonly CredentialRow[]): Promise<void> {
  if (rows.length === 0) return;
  await sql.unsafe(
    `INSERT INTO ${quoteIdent(schema)}.credentials (enrollid, backupnum, data, source_sn, updated_at)
     SELECT enrollid, backupnum, data, source_sn, to_timestamp(updated_at / 1000.0)
     FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::bigint[]) AS u(enrollid, backupnum, data, source_sn, updated_at)
     ON CONFLICT (enrollid, backupnum) DO UPDATE SET data = excluded.data, source_sn = excluded.source_sn, updated_at = excluded.updated_at`,
    [col(rows, (r) => r.enrollid), col(rows, (r) => r.backupnum), col(rows, (r) => r.data), col(rows, (r) => r.sourceSn), col(rows, (r) => r.updatedAt)],
  );
}

export async function upsertDepartments(sql: SQL, schema: string, rows: readonly Department[]): Promise<void> {
  if (rows.length === 0) return;
  await sql.unsafe(
    `INSERT INTO ${quoteIdent(schema)}.departments AS d (id, name) SELECT id, name FROM unnest($1::bigint[], $2::text[]) AS u(id, name)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name`,
    [col(rows, (r) => r.id), col(rows, (r) => r.name)],
  );
}

/** Daily results replace what the target holds for their (enrollid, date). */
export async function upsertTimesheetDays(sql: SQL, schema: string, rows: readonly ComputedDay[]): Promise<void> {
  if (rows.length === 0) return;
  await sql.unsafe(
    `INSERT INTO ${quoteIdent(schema)}.timesheet_days (enrollid, date, department_id, shift_id, status, first_in, last_out, worked_minutes, expected_minutes,
       late_minutes, early_leave_minutes, overtime_minutes, missing_punch, manual, holiday, leave, computed_at)
     SELECT enrollid, date, department_id, shift_id, status, first_in, last_out, worked_minutes, expected_minutes,
       late_minutes, early_leave_minutes, overtime_minutes, missing_punch, manual, holiday, leave::jsonb, to_timestamp(computed_at / 1000.0)
     FROM unnest($1::bigint[], $2::date[], $3::bigint[], $4::bigint[], $5::text[], $6::timestamp[], $7::timestamp[], $8::int[], $9::int[],
       $10::int[], $11::int[], $12::int[], $13::boolean[], $14::boolean[], $15::text[], $16::text[], $17::bigint[])
       AS u(enrollid, date, department_id, shift_id, status, first_in, last_out, worked_minutes, expected_minutes,
         late_minutes, early_leave_minutes, overtime_minutes, missing_punch, manual, holiday, leave, computed_at)
     ON CONFLICT (enrollid, date) DO UPDATE SET department_id = excluded.department_id, shift_id = excluded.shift_id, status = excluded.status,
       first_in = excluded.first_in, last_out = excluded.last_out, worked_minutes = excluded.worked_minutes, expected_minutes = excluded.expected_minutes,
       late_minutes = excluded.late_minutes, early_leave_minutes = excluded.early_leave_minutes, overtime_minutes = excluded.overtime_minutes,
       missing_punch = excluded.missing_punch, manual = excluded.manual, holiday = excluded.holiday, leave = excluded.leave, computed_at = excluded.computed_at`,
    [
      col(rows, (r) => r.enrollid), col(rows, (r) => r.date), col(rows, (r) => r.departmentId), col(rows, (r) => r.shiftId), col(rows, (r) => r.status),
      col(rows, (r) => r.firstIn), col(rows, (r) => r.lastOut), col(rows, (r) => r.workedMinutes), col(rows, (r) => r.expectedMinutes),
      col(rows, (r) => r.lateMinutes), col(rows, (r) => r.earlyLeaveMinutes), col(rows, (r) => r.overtimeMinutes), col(rows, (r) => r.missingPunch),
      col(rows, (r) => r.manual), col(rows, (r) => r.holiday), col(rows, (r) => JSON.stringify(r.leave)), col(rows, (r) => r.computedAt),
    ],
  );
}

/** Daily results the store removed (a day no longer due): their rows go, whenever they were sent. */
export async function deleteTimesheetDays(sql: SQL, schema: string, rows: readonly RemovedDay[]): Promise<void> {
  if (rows.length === 0) return;
  await sql.unsafe(
    `DELETE FROM ${quoteIdent(schema)}.timesheet_days t USING unnest($1::bigint[], $2::date[]) AS u(enrollid, date)
     WHERE t.enrollid = u.enrollid AND t.date = u.date`,
    [col(rows, (r) => r.enrollid), col(rows, (r) => r.date)],
  );
}

/** Rows of a mirrored table whose key is no longer in SQLite (a deleted person, a removed terminal). */
export async function deleteMissing(
  sql: SQL,
  schema: string,
  table: "terminals" | "people" | "departments",
  keys: readonly (string | number)[],
): Promise<void> {
  const key = table === "terminals" ? "sn" : table === "people" ? "enrollid" : "id";
  const type = table === "terminals" ? "text" : "bigint";
  await sql.unsafe(`DELETE FROM ${quoteIdent(schema)}.${table} WHERE ${key} <> ALL($1::${type}[])`, [[...keys]]);
}

export async function deleteMissingCredentials(sql: SQL, schema: string, keys: ReadonlyArray<{ enrollid: number; backupnum: number }>) {
  await sql.unsafe(
    `DELETE FROM ${quoteIdent(schema)}.credentials c
     WHERE NOT EXISTS (SELECT 1 FROM unnest($1::bigint[], $2::int[]) AS u(enrollid, backupnum) WHERE u.enrollid = c.enrollid AND u.backupnum = c.backupnum)`,
    [col(keys, (k) => k.enrollid), col(keys, (k) => k.backupnum)],
  );
}
